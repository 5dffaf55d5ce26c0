/**
 * The DuckDB stand-in runs a query text prepared once over every load of its table: a query
 * prepared while the table held other rows must still return the rows it holds now.
 */
import { LakeTable } from "./support/lake-table";
import { record } from "./support/records";

describe("DuckDbTable", () => {
  let table: LakeTable;
  beforeAll(async () => {
    table = await LakeTable.create();
  });
  afterAll(() => table.close());

  it("a prepared query returns the values of the rows loaded after it was prepared", async () => {
    const sql = "SELECT eventid, useridentity.invokedby AS invokedby FROM lake_events ORDER BY eventid";
    await table.load([record({ userIdentity: { type: "IAMUser", arn: "arn:aws:iam::494659789341:user/a" } })]);
    expect(await table.run(sql)).toHaveLength(1);
    const service = { type: "AWSService", invokedBy: "bedrock.amazonaws.com" };
    await table.load([record({ userIdentity: service }), record({ userIdentity: service })]);
    const rows = await table.run(sql);
    expect(rows.map((row) => Object.assign({}, ...row).invokedby)).toEqual([
      "bedrock.amazonaws.com",
      "bedrock.amazonaws.com",
    ]);
  });
});
