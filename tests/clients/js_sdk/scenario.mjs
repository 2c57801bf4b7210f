// The AWS SDK for JavaScript v3 against localshift: one scenario through Redshift (awsQuery, XML),
// Redshift Serverless and the Redshift Data API (awsJson1_1), asserting what the SDK parsed.
//
// Run by tests/clients/test_js_sdk.py with two servers: CONTROL_URL (no data plane: many clusters
// cheaply, for pagination, tags and snapshot sharing) and DATA_URL (real engines: the Data API, a
// snapshot restored with its rows, serverless). It prints one JSON line of what it saw (the Python
// test checks those values against boto3's view) and exits non-zero at the first failed check,
// naming the step.
import assert from "node:assert/strict";
import {
  AuthorizeSnapshotAccessCommand, ClusterNotFoundFault, ClusterSnapshotNotFoundFault, CreateClusterCommand,
  CreateClusterSnapshotCommand, CreateScheduledActionCommand, DeleteClusterCommand, DescribeClusterSnapshotsCommand,
  DescribeClustersCommand, DescribeTagsCommand, RedshiftClient, RedshiftServiceException,
  RestoreFromClusterSnapshotCommand, RevokeSnapshotAccessCommand, paginateDescribeClusters, waitUntilClusterAvailable,
  waitUntilClusterDeleted, waitUntilClusterRestored, waitUntilSnapshotAvailable,
} from "@aws-sdk/client-redshift";
import {
  ConvertRecoveryPointToSnapshotCommand, CreateNamespaceCommand, CreateSnapshotCommand, CreateWorkgroupCommand,
  GetNamespaceCommand, GetSnapshotCommand, GetWorkgroupCommand, ListRecoveryPointsCommand, ListSnapshotsCommand,
  RedshiftServerlessClient, ResourceNotFoundException as ServerlessNotFound, paginateListWorkgroups,
} from "@aws-sdk/client-redshift-serverless";
import {
  BatchExecuteStatementCommand, DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultV2Command,
  RedshiftDataClient, ResourceNotFoundException as DataNotFound, ValidationException, paginateGetStatementResult,
} from "@aws-sdk/client-redshift-data";

const { CONTROL_URL, DATA_URL, OWNER, GRANTEE } = process.env;
const REGION = "us-east-1";
const FAST_WAITER = { minDelay: 0.2, maxDelay: 1, maxWaitTime: 120 };
const PAGED_CLUSTERS = 23; // DescribeClusters pages hold 20 to 100 clusters: two pages of 20
// What XML must escape (and a CR, which an XML parser reads back as LF unless written &#13;), a tab,
// non-ASCII, a character beyond the BMP, and the spaces a careless parser trims.
const AWKWARD = " a\r\nb\t& <c> \"d\" 'e' ünï 😀 ";
const seen = {};
let step = "start";
const started = Date.now();

// Each step's start on stderr, with the time since the scenario's (the test shows stderr on failure).
function begin(name) {
  step = name;
  console.error(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${name}`);
}

// Clients keep the SDK's default retries (3 attempts), as applications do: Node's keep-alive agent
// sets no idle timeout of its own, so a request sent just as the server closes a connection idle for
// its 5 s ("socket hang up", a TimeoutError) is retried, as it would be against AWS.
function client(Client, url, account = OWNER) {
  // Open mode takes a 12-digit access key id as the account.
  return new Client({ endpoint: url, region: REGION, credentials: { accessKeyId: account, secretAccessKey: "secret" } });
}

// A client as an application builds it, configured by the environment alone (AWS_ENDPOINT_URL,
// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: what the test sets for the data server).
function clientFromEnvironment(Client) {
  return new Client({});
}

async function expectError(promise, Type, status, messagePart) {
  const error = await promise.then(() => assert.fail("no error"), (e) => e);
  assert.ok(error instanceof Type, `${error.name} (${error.constructor.name}) is not a ${Type.name}: ${error}`);
  assert.equal(error.name, Type.name);
  assert.equal(error.$fault, status >= 500 ? "server" : "client");
  assert.equal(error.$metadata.httpStatusCode, status);
  assert.equal(error.$metadata.attempts, 1); // the SDK took it as final, not as a fault worth retrying
  assert.match(error.$metadata.requestId, /^[0-9a-f-]{36}$/);
  assert.ok(error.message.includes(messagePart), `message: ${error.message}`);
  return error;
}

function assertDate(value, what) {
  assert.ok(value instanceof Date && !Number.isNaN(value.getTime()), `${what} is not a Date: ${value}`);
  assert.ok(Math.abs(value.getTime() - Date.now()) < 24 * 3600 * 1000, `${what} is far from now: ${value.toISOString()}`);
}

async function until(what, probe, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function timeTravel(url, seconds) {
  const answer = await fetch(`${url}/_localshift/time-travel?seconds=${seconds}`, { method: "POST" });
  assert.equal(answer.status, 200);
}

// -- Redshift (awsQuery) on the control-plane server: tags, waiters, pagination, sharing, errors --
async function controlPlane() {
  const redshift = client(RedshiftClient, CONTROL_URL);
  begin("CreateCluster with tags");
  const created = await redshift.send(new CreateClusterCommand({
    ClusterIdentifier: "js-main", NodeType: "ra3.xlplus", NumberOfNodes: 2, MasterUsername: "admin",
    MasterUserPassword: "Passw0rd1", DBName: "analytics", Encrypted: true, AutomatedSnapshotRetentionPeriod: 3,
    Tags: [{ Key: "team", Value: "data" }, { Key: "env", Value: "test" }, { Key: "awkward", Value: AWKWARD }],
    IamRoles: [],
  }));
  assert.equal(created.Cluster.ClusterStatus, "creating");
  assert.equal(created.Cluster.NumberOfNodes, 2);
  assert.equal(created.Cluster.Encrypted, true);
  assert.match(created.$metadata.requestId, /^[0-9a-f-]{36}$/);

  begin("waitUntilClusterAvailable");
  const waited = await waitUntilClusterAvailable({ client: redshift, ...FAST_WAITER }, { ClusterIdentifier: "js-main" });
  assert.equal(waited.state, "SUCCESS");

  begin("DescribeClusters: the cluster's types");
  const [cluster] = (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: "js-main" }))).Clusters;
  assert.equal(cluster.ClusterStatus, "available");
  assertDate(cluster.ClusterCreateTime, "ClusterCreateTime");
  assert.equal(typeof cluster.Endpoint.Port, "number");
  assert.equal(typeof cluster.Endpoint.Address, "string");
  assert.equal(cluster.AutomatedSnapshotRetentionPeriod, 3);
  assert.equal(cluster.Encrypted, true);
  assert.equal(cluster.PubliclyAccessible, false);
  assert.equal(cluster.AllowVersionUpgrade, true);
  assert.deepEqual(cluster.Tags, [{ Key: "team", Value: "data" }, { Key: "env", Value: "test" },
                                  { Key: "awkward", Value: AWKWARD }]);
  assert.deepEqual(cluster.IamRoles, []);
  assert.deepEqual(cluster.PendingModifiedValues, {});
  assert.equal(cluster.ClusterNodes.length, 3); // a leader and two compute nodes
  assert.deepEqual(cluster.ClusterNodes.map((node) => node.NodeRole), ["LEADER", "COMPUTE-0", "COMPUTE-1"]);
  assert.equal(cluster.ClusterParameterGroups[0].ParameterApplyStatus, "in-sync");
  assert.ok(Array.isArray(cluster.VpcSecurityGroups));
  seen.cluster = {
    ClusterIdentifier: cluster.ClusterIdentifier, ClusterNamespaceArn: cluster.ClusterNamespaceArn,
    ClusterCreateTime: cluster.ClusterCreateTime.toISOString(), Port: cluster.Endpoint.Port,
    ClusterNodes: cluster.ClusterNodes, Tags: cluster.Tags,
  };

  begin("DescribeTags");
  const tagged = await redshift.send(new DescribeTagsCommand({ ResourceType: "cluster" }));
  assert.deepEqual(tagged.TaggedResources.map((r) => r.Tag.Key).sort(), ["awkward", "env", "team"]);
  assert.equal(tagged.TaggedResources.find((r) => r.Tag.Key === "awkward").Tag.Value, AWKWARD);

  begin("paginateDescribeClusters");
  for (let i = 0; i < PAGED_CLUSTERS - 1; i++) {
    await redshift.send(new CreateClusterCommand({
      ClusterIdentifier: `js-page-${String(i).padStart(2, "0")}`, NodeType: "ra3.xlplus", NumberOfNodes: 2,
      MasterUsername: "admin", MasterUserPassword: "Passw0rd1",
    }));
  }
  const pages = [];
  for await (const page of paginateDescribeClusters({ client: redshift, pageSize: 20 }, {})) {
    pages.push(page);
  }
  assert.deepEqual(pages.map((page) => page.Clusters.length), [20, PAGED_CLUSTERS - 20]);
  assert.equal(typeof pages[0].Marker, "string");
  assert.equal(pages[1].Marker, undefined);
  const identifiers = pages.flatMap((page) => page.Clusters.map((c) => c.ClusterIdentifier));
  assert.equal(new Set(identifiers).size, PAGED_CLUSTERS);
  seen.paged = identifiers;
  assert.deepEqual(pages[1].Clusters.at(-1).Tags, []);

  begin("DeleteCluster, waitUntilClusterDeleted (done at the waiter's ClusterNotFoundFault)");
  // A cluster still creating cannot be deleted yet (InvalidClusterStateFault), on AWS as here.
  await waitUntilClusterAvailable({ client: redshift, ...FAST_WAITER }, { ClusterIdentifier: identifiers.at(-1) });
  await redshift.send(new DeleteClusterCommand({ ClusterIdentifier: identifiers.at(-1), SkipFinalClusterSnapshot: true }));
  const deleted = await waitUntilClusterDeleted({ client: redshift, ...FAST_WAITER }, { ClusterIdentifier: identifiers.at(-1) });
  assert.equal(deleted.state, "SUCCESS");
  assert.ok(deleted.reason instanceof ClusterNotFoundFault, `${deleted.reason}`);

  begin("CreateScheduledAction: timestamps in, a list of timestamps out");
  const start = new Date(Date.now() + 3600 * 1000);
  const action = await redshift.send(new CreateScheduledActionCommand({
    ScheduledActionName: "js-nightly-pause", Schedule: "cron(0 23 * * ? *)", StartTime: start,
    IamRole: `arn:aws:iam::${OWNER}:role/scheduler`, TargetAction: { PauseCluster: { ClusterIdentifier: "js-main" } },
  }));
  assert.equal(action.StartTime.getTime(), start.getTime());
  assert.ok(action.NextInvocations.length > 1);
  action.NextInvocations.forEach((at, i) => {
    assert.ok(at instanceof Date && at > start && at.getUTCHours() === 23 && at.getUTCMinutes() === 0, `${at}`);
    if (i > 0) assert.equal(at - action.NextInvocations[i - 1], 24 * 3600 * 1000);
  });
  assert.deepEqual(action.TargetAction, { PauseCluster: { ClusterIdentifier: "js-main" } });

  begin("CreateClusterSnapshot, waitUntilSnapshotAvailable");
  const snapshot = (await redshift.send(new CreateClusterSnapshotCommand({
    SnapshotIdentifier: "js-snap", ClusterIdentifier: "js-main", ManualSnapshotRetentionPeriod: 7,
    Tags: [{ Key: "kind", Value: "manual" }],
  }))).Snapshot;
  assert.equal(snapshot.Status, "creating");
  assertDate(snapshot.SnapshotCreateTime, "SnapshotCreateTime");
  await waitUntilSnapshotAvailable({ client: redshift, ...FAST_WAITER }, { SnapshotIdentifier: "js-snap" });

  begin("DescribeClusterSnapshots by SnapshotArn");
  const arn = `arn:aws:redshift:${REGION}:${OWNER}:snapshot:js-main/js-snap`;
  const [byArn] = (await redshift.send(new DescribeClusterSnapshotsCommand({ SnapshotArn: arn }))).Snapshots;
  assert.equal(byArn.SnapshotIdentifier, "js-snap");
  assert.equal(byArn.Status, "available");
  assert.equal(byArn.ManualSnapshotRetentionPeriod, 7);
  assert.equal(byArn.Encrypted, true);
  assert.equal(typeof byArn.TotalBackupSizeInMegaBytes, "number");
  assert.deepEqual(byArn.Tags, [{ Key: "kind", Value: "manual" }]);
  const hourAgo = new Date(Date.now() - 3600 * 1000);
  const inWindow = (await redshift.send(new DescribeClusterSnapshotsCommand({
    ClusterIdentifier: "js-main", SnapshotType: "manual", StartTime: hourAgo, EndTime: new Date() }))).Snapshots;
  assert.deepEqual(inWindow.map((s) => s.SnapshotIdentifier), ["js-snap"]);
  const before = (await redshift.send(new DescribeClusterSnapshotsCommand({
    ClusterIdentifier: "js-main", SnapshotType: "manual", EndTime: hourAgo }))).Snapshots;
  assert.deepEqual(before, []);

  begin("AuthorizeSnapshotAccess");
  const authorized = (await redshift.send(new AuthorizeSnapshotAccessCommand({
    SnapshotArn: arn, AccountWithRestoreAccess: GRANTEE }))).Snapshot;
  assert.deepEqual(authorized.AccountsWithRestoreAccess, [{ AccountId: GRANTEE }]);
  const grantee = client(RedshiftClient, CONTROL_URL, GRANTEE);
  const shared = (await grantee.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: OWNER }))).Snapshots;
  assert.deepEqual(shared.map((s) => s.SnapshotIdentifier), ["js-snap"]);
  assert.equal(shared[0].OwnerAccount, OWNER);

  begin("RevokeSnapshotAccess");
  const revoked = (await redshift.send(new RevokeSnapshotAccessCommand({
    SnapshotIdentifier: "js-snap", SnapshotClusterIdentifier: "js-main", AccountWithRestoreAccess: GRANTEE,
  }))).Snapshot;
  assert.deepEqual(revoked.AccountsWithRestoreAccess ?? [], []);
  assert.deepEqual((await grantee.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: OWNER }))).Snapshots, []);

  begin("typed errors (Query)");
  const missing = await expectError(redshift.send(new DescribeClustersCommand({ ClusterIdentifier: "nope" })),
                                    ClusterNotFoundFault, 404, "nope");
  assert.ok(missing instanceof RedshiftServiceException);
  seen.clusterNotFound = { name: missing.name, status: missing.$metadata.httpStatusCode, message: missing.message };
  await expectError(grantee.send(new DescribeClusterSnapshotsCommand({ SnapshotIdentifier: "js-snap" })),
                    ClusterSnapshotNotFoundFault, 404, "js-snap");
  // An error no model lists is the service's base exception, named by its code.
  const unlisted = await redshift.send(new DescribeClustersCommand({ MaxRecords: 5 })).catch((e) => e);
  assert.ok(unlisted instanceof RedshiftServiceException && unlisted.constructor === RedshiftServiceException);
  assert.deepEqual([unlisted.name, unlisted.$metadata.httpStatusCode, unlisted.$fault, unlisted.message],
                   ["InvalidParameterValue", 400, "client", "MaxRecords must be between 20 and 100."]);
}

// -- The data plane: the Data API on a cluster, its snapshot restored with the rows, serverless --
async function statement(data, sent) {
  const { Id } = sent;
  assert.match(Id, /^[0-9a-f-]{36}$/);
  const described = await until(`statement ${Id}`, async () => {
    const d = await data.send(new DescribeStatementCommand({ Id }));
    return ["FINISHED", "FAILED", "ABORTED"].includes(d.Status) && d;
  });
  assert.equal(described.Status, "FINISHED", described.Error);
  assertDate(described.CreatedAt, "CreatedAt");
  assertDate(described.UpdatedAt, "UpdatedAt");
  assert.equal(typeof described.Duration, "number");
  assert.equal(typeof described.RedshiftPid, "number");
  return described;
}

async function rowsOf(data, Id) {
  const records = [];
  let columns;
  for await (const page of paginateGetStatementResult({ client: data }, { Id })) {
    columns ??= page.ColumnMetadata;
    records.push(...page.Records);
  }
  return { columns, records };
}

async function dataApi(data, target) {
  begin(`BatchExecuteStatement (${Object.values(target)[0]})`);
  const batch = await statement(data, await data.send(new BatchExecuteStatementCommand({ ...target, Sqls: [
    "CREATE TABLE sales (id bigint, item varchar(20), price float8, paid boolean, note varchar(10))",
    "INSERT INTO sales VALUES (1, 'apple', 1.5, true, NULL), (2, 'pear', 2.25, false, 'ripe')",
  ] })));
  assert.equal(batch.SubStatements.length, 2);
  assert.deepEqual(batch.SubStatements.map((s) => s.Status), ["FINISHED", "FINISHED"]);
  assert.equal(batch.SubStatements[1].ResultRows, 2);
  assert.equal(batch.SubStatements[1].HasResultSet, false);

  begin(`ExecuteStatement with parameters (${Object.values(target)[0]})`);
  const select = await statement(data, await data.send(new ExecuteStatementCommand({
    ...target, Sql: "SELECT id, item, price, paid, note FROM sales WHERE id >= :low ORDER BY id",
    Parameters: [{ name: "low", value: "1" }], StatementName: "js-select",
  })));
  assert.equal(select.HasResultSet, true);
  assert.equal(select.ResultRows, 2);
  assert.deepEqual(select.QueryParameters, [{ name: "low", value: "1" }]);

  begin(`GetStatementResult (${Object.values(target)[0]})`);
  const { columns, records } = await rowsOf(data, select.Id);
  assert.deepEqual(columns.map((c) => [c.name, c.typeName]),
                   [["id", "int8"], ["item", "varchar"], ["price", "float8"], ["paid", "bool"], ["note", "varchar"]]);
  assert.equal(columns[0].isSigned, true);
  assert.equal(typeof columns[1].length, "number");
  assert.deepEqual(records, [
    [{ longValue: 1 }, { stringValue: "apple" }, { doubleValue: 1.5 }, { booleanValue: true }, { isNull: true }],
    [{ longValue: 2 }, { stringValue: "pear" }, { doubleValue: 2.25 }, { booleanValue: false }, { stringValue: "ripe" }],
  ]);
  return records;
}

async function dataPlane() {
  const redshift = clientFromEnvironment(RedshiftClient);
  const data = clientFromEnvironment(RedshiftDataClient);
  begin("a cluster with an engine");
  await redshift.send(new CreateClusterCommand({
    ClusterIdentifier: "js-data", NodeType: "ra3.xlplus", NumberOfNodes: 2, MasterUsername: "admin",
    MasterUserPassword: "Passw0rd1", DBName: "dev",
  }));
  await waitUntilClusterAvailable({ client: redshift, ...FAST_WAITER }, { ClusterIdentifier: "js-data" });
  const onCluster = { ClusterIdentifier: "js-data", Database: "dev", DbUser: "admin" };
  seen.clusterRows = await dataApi(data, onCluster);

  begin("GetStatementResult: each kind of Field");
  const typed = await statement(data, await data.send(new ExecuteStatementCommand({ ...onCluster, Sql:
    "SELECT 'abc'::varbyte AS bytes, 12345678901234::bigint AS big, 3::smallint AS small, 1.5::numeric(5,2) AS exact,"
    + " 1.25::real AS single, '2024-01-02 03:04:05'::timestamp AS at, :awkward AS text",
    Parameters: [{ name: "awkward", value: AWKWARD }] })));
  const [fields] = (await rowsOf(data, typed.Id)).records;
  assert.ok(fields[0].blobValue instanceof Uint8Array, `blobValue: ${fields[0].blobValue}`);
  assert.deepEqual([...fields[0].blobValue], [97, 98, 99]);
  assert.deepEqual(fields.slice(1), [{ longValue: 12345678901234 }, { longValue: 3 }, { stringValue: "1.50" },
                                     { doubleValue: 1.25 }, { stringValue: "2024-01-02 03:04:05.0" }, { stringValue: AWKWARD }]);

  begin("GetStatementResultV2 (CSV)");
  const csv = await statement(data, await data.send(new ExecuteStatementCommand({
    ...onCluster, Sql: "SELECT id, item FROM sales ORDER BY id", ResultFormat: "CSV" })));
  const v2 = await data.send(new GetStatementResultV2Command({ Id: csv.Id }));
  assert.equal(v2.ResultFormat, "CSV");
  assert.deepEqual(v2.Records, [{ CSVRecords: "1,apple\n2,pear\n" }]);

  begin("typed errors (Data API)");
  // The JS SDK checks no constraints itself: the model's minimum length is the server's to refuse.
  await expectError(data.send(new ExecuteStatementCommand({ ...onCluster, Sql: "SELECT 1", Parameters: [] })),
                    ValidationException, 400, "Value '[]' at 'Parameters' failed to satisfy constraint");
  await expectError(data.send(new DescribeStatementCommand({ Id: "00000000-0000-0000-0000-000000000000" })),
                    DataNotFound, 404, "00000000-0000-0000-0000-000000000000");

  begin("snapshot of the cluster, restored");
  await redshift.send(new CreateClusterSnapshotCommand({ SnapshotIdentifier: "js-data-snap", ClusterIdentifier: "js-data" }));
  await waitUntilSnapshotAvailable({ client: redshift, ...FAST_WAITER }, { SnapshotIdentifier: "js-data-snap" });
  const restoring = (await redshift.send(new RestoreFromClusterSnapshotCommand({
    ClusterIdentifier: "js-restored", SnapshotIdentifier: "js-data-snap" }))).Cluster;
  assert.equal(restoring.ClusterStatus, "creating");
  await waitUntilClusterRestored({ client: redshift, ...FAST_WAITER }, { ClusterIdentifier: "js-restored" });
  const [restored] = (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: "js-restored" }))).Clusters;
  assert.equal(restored.RestoreStatus.Status, "completed");
  assert.equal(typeof restored.RestoreStatus.ProgressInMegaBytes, "number");
  assert.equal(restored.DBName, "dev");
  begin("the restored cluster's rows (Data API)");
  const copy = await statement(data, await data.send(new ExecuteStatementCommand({
    ClusterIdentifier: "js-restored", Database: "dev", DbUser: "admin", Sql: "SELECT id, item FROM sales ORDER BY id" })));
  seen.restoredRows = (await rowsOf(data, copy.Id)).records;
  assert.deepEqual(seen.restoredRows, [[{ longValue: 1 }, { stringValue: "apple" }], [{ longValue: 2 }, { stringValue: "pear" }]]);

  await serverless(data);
}

async function serverless(data) {
  const rs = clientFromEnvironment(RedshiftServerlessClient);
  begin("CreateNamespace");
  const namespace = (await rs.send(new CreateNamespaceCommand({
    namespaceName: "js-ns", adminUsername: "admin", adminUserPassword: "Passw0rd1", dbName: "dev",
    tags: [{ key: "team", value: "data" }],
  }))).namespace;
  assert.equal(namespace.namespaceName, "js-ns");
  assertDate(namespace.creationDate, "namespace creationDate");
  assert.deepEqual(namespace.logExports, []);

  begin("CreateWorkgroup");
  const workgroup = (await rs.send(new CreateWorkgroupCommand({
    workgroupName: "js-wg", namespaceName: "js-ns", baseCapacity: 8, publiclyAccessible: false,
    configParameters: [{ parameterKey: "enable_user_activity_logging", parameterValue: "true" }],
  }))).workgroup;
  assert.equal(workgroup.baseCapacity, 8);
  assert.equal(workgroup.publiclyAccessible, false);
  assert.ok(workgroup.configParameters.some((p) => p.parameterKey === "enable_user_activity_logging"
                                                   && p.parameterValue === "true"));
  const available = await until("workgroup AVAILABLE", async () => {
    const got = (await rs.send(new GetWorkgroupCommand({ workgroupName: "js-wg" }))).workgroup;
    return got.status === "AVAILABLE" && got;
  });
  assertDate(available.creationDate, "workgroup creationDate");
  assert.equal(typeof available.endpoint.port, "number");
  await until("namespace AVAILABLE", async () =>
    (await rs.send(new GetNamespaceCommand({ namespaceName: "js-ns" }))).namespace.status === "AVAILABLE");

  begin("paginateListWorkgroups");
  const listed = [];
  for await (const page of paginateListWorkgroups({ client: rs, pageSize: 1 }, {})) listed.push(...page.workgroups);
  assert.deepEqual(listed.map((w) => w.workgroupName), ["js-wg"]);

  seen.workgroupRows = await dataApi(data, { WorkgroupName: "js-wg", Database: "dev" });

  begin("CreateSnapshot (serverless)");
  const snapshot = (await rs.send(new CreateSnapshotCommand({
    namespaceName: "js-ns", snapshotName: "js-ns-snap", retentionPeriod: 7 }))).snapshot;
  assert.equal(snapshot.snapshotRetentionPeriod, 7);
  const ready = await until("serverless snapshot AVAILABLE", async () => {
    const got = (await rs.send(new GetSnapshotCommand({ snapshotName: "js-ns-snap" }))).snapshot;
    return got.status === "AVAILABLE" && got;
  });
  assertDate(ready.snapshotCreateTime, "snapshotCreateTime");
  assert.equal(typeof ready.totalBackupSizeInMegaBytes, "number");

  begin("ListRecoveryPoints, ConvertRecoveryPointToSnapshot");
  await timeTravel(DATA_URL, 1800); // the next recovery point is due at the half hour
  const [point] = await until("a recovery point", async () => {
    const { recoveryPoints } = await rs.send(new ListRecoveryPointsCommand({ namespaceName: "js-ns" }));
    return recoveryPoints.length > 0 && recoveryPoints;
  });
  assert.ok(point.recoveryPointCreateTime instanceof Date);
  assert.equal(point.namespaceName, "js-ns");
  // Timestamps in a JSON request (epoch seconds, with milliseconds): the point is inside its own time, not before it.
  const taken = point.recoveryPointCreateTime.getTime();
  const around = (await rs.send(new ListRecoveryPointsCommand({
    namespaceName: "js-ns", startTime: new Date(taken - 1), endTime: new Date(taken + 1) }))).recoveryPoints;
  assert.deepEqual(around.map((p) => p.recoveryPointId), [point.recoveryPointId]);
  const earlier = (await rs.send(new ListRecoveryPointsCommand({
    namespaceName: "js-ns", endTime: new Date(taken - 1000) }))).recoveryPoints;
  assert.deepEqual(earlier, []);
  const converted = (await rs.send(new ConvertRecoveryPointToSnapshotCommand({
    recoveryPointId: point.recoveryPointId, snapshotName: "js-from-point" }))).snapshot;
  assert.equal(converted.snapshotName, "js-from-point");
  const names = (await rs.send(new ListSnapshotsCommand({ namespaceName: "js-ns" }))).snapshots.map((s) => s.snapshotName);
  assert.deepEqual(names.sort(), ["js-from-point", "js-ns-snap"]);

  begin("typed errors (serverless)");
  await expectError(rs.send(new GetWorkgroupCommand({ workgroupName: "nope" })), ServerlessNotFound, 404, "nope");
}

try {
  await controlPlane();
  await dataPlane();
  console.log(JSON.stringify(seen));
} catch (error) {
  console.error(`step "${step}" failed: ${error.stack ?? error}`);
  if (error.$metadata) console.error(`$metadata: ${JSON.stringify(error.$metadata)}`);
  if (error.$response) console.error(`$response: ${error.$response.statusCode} ${JSON.stringify(error.$response.headers)}`);
  process.exit(1);
}
