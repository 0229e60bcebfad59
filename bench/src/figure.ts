/** One line of the benchmark's report: a measure, and its target where it has one. */
export interface Figure {
  figure: string;
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}
