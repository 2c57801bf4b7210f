"""API throughput benchmark (localshift against moto_server): the constants its modules share."""

ACCOUNT = "111111111111"
REGION = "us-east-1"
CLUSTER = "bench"
# The servers measured: localshift, moto, and HTTP stacks answering a fixed body (their ceilings):
# localshift's own HTTP layer ("ceiling"), and uvicorn with h11 or httptools for comparison.
SERVERS = ("localshift", "moto", "ceiling", "uvicorn-h11", "uvicorn-httptools")
DEFAULT_SERVERS = ("localshift", "moto", "ceiling")
CEILINGS = {"ceiling": "localshift", "uvicorn-h11": "uvicorn-h11", "uvicorn-httptools": "uvicorn-httptools"}
OPERATIONS = ("clusters", "snapshot", "snapshots", "snapshots-all")
# What a ceiling server is measured with (the DescribeClusters request, answered with a fixed body).
FIXED = "fixed"
OPERATION_TITLES = {
    "clusters": "DescribeClusters",
    "snapshot": "DescribeClusterSnapshots, one identifier",
    "snapshots": "DescribeClusterSnapshots (default page)",
    "snapshots-all": "DescribeClusterSnapshots, full listing via Marker",
    FIXED: "fixed body",
}
