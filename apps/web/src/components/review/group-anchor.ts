/** The anchor of a review group (a team, a rule of it, an image of that), so that a link can open it. */
export const groupAnchor = (section: string, team: string, ruleId?: string, image?: string | null) =>
  `g-${section}-${[team, ruleId ?? "", image ?? ""].join("-")}`.replace(/[^A-Za-z0-9_-]+/g, "_");
