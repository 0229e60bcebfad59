// Findings of the rules views show grouped (core's GROUPED_RULE_IDS), as a SQL condition on a
// "Finding" aliased f.
import { GROUPED_RULE_IDS } from "@pullsight/core";
import { Prisma } from "../generated/prisma/client.ts";

export const isGroupedFinding: Prisma.Sql = GROUPED_RULE_IDS.length
  ? Prisma.sql`f."ruleId" IN (${Prisma.join([...GROUPED_RULE_IDS])})`
  : Prisma.sql`FALSE`;
