"""API throughput benchmark (localshift against moto_server): the constants its modules share."""

ACCOUNT = "111111111111"
REGION = "us-east-1"
CLUSTER = "bench"
SERVERS = ("localshift", "moto")
OPERATIONS = ("snapshots", "snapshots-all", "clusters")
OPERATION_TITLES = {
    "snapshots": "DescribeClusterSnapshots (default page)",
    "snapshots-all": "DescribeClusterSnapshots, full listing via Marker",
    "clusters": "DescribeClusters",
}
