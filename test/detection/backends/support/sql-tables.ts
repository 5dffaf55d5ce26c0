/** The DuckDB stand-ins for CloudTrail Lake and Athena, for a suite that runs generated SQL on both. */
import { AthenaTable } from "./athena-table";
import { LakeTable } from "./lake-table";

/** Created before the calling suite's tests and closed after them. Call at describe level. */
export function sqlTablesForSuite(): { lake: () => LakeTable; athena: () => AthenaTable } {
  let lake: LakeTable | undefined;
  let athena: AthenaTable | undefined;
  beforeAll(async () => {
    lake = await LakeTable.create();
    athena = await AthenaTable.create();
  });
  afterAll(() => {
    lake?.close();
    athena?.close();
  });
  const created = <T>(table: T | undefined): T => {
    if (!table) throw new Error("the DuckDB tables were not created (see the suite's beforeAll)");
    return table;
  };
  return { lake: () => created(lake), athena: () => created(athena) };
}
