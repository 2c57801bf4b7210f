# A realistic analytics stack: a provisioned cluster with its parameter group, subnet group,
# snapshot schedule, logging, usage limit and scheduled pause; a Redshift Serverless namespace and
# workgroup with a usage limit and a snapshot. tests/clients/test_terraform.py applies it, checks
# that a plan shows no changes, and destroys it.

# Each cluster's SQL port: localshift serves it on 127.0.0.1, so the test picks free ones (in
# the ranges RA3 nodes accept), and the provider reads back the port the cluster really serves on.
variable "port" { type = number }
variable "restored_port" { type = number }
variable "restore" {
  type    = bool
  default = false
}

resource "aws_redshift_parameter_group" "analytics" {
  name        = "tf-analytics"
  family      = "redshift-2.0"
  description = "analytics parameters"
  parameter {
    name  = "require_ssl"
    value = "true"
  }
  parameter {
    name  = "enable_user_activity_logging"
    value = "true"
  }
  tags = { team = "data" }
}

resource "aws_redshift_subnet_group" "analytics" {
  name        = "tf-analytics"
  description = "analytics subnets"
  subnet_ids  = ["subnet-0000000000000000a", "subnet-0000000000000000b"]
  tags        = { team = "data" }
}

resource "aws_redshift_snapshot_schedule" "twice_a_day" {
  identifier  = "tf-twice-a-day"
  description = "twice a day"
  definitions = ["rate(12 hours)"]
  tags        = { team = "data" }
}

# `encrypted = true`: Redshift encrypts every new cluster, and provider 5.x defaults the attribute
# to false, so a config that leaves it out shows a change on every plan, against AWS as here.
# No `database_name`: the provider then sends DBName="" and reads back the default database, dev.
resource "aws_redshift_cluster" "analytics" {
  cluster_identifier                  = "tf-analytics"
  node_type                           = "ra3.xlplus"
  number_of_nodes                     = 2
  master_username                     = "admin"
  master_password                     = "Passw0rd1"
  port                                = var.port
  encrypted                           = true
  cluster_parameter_group_name        = aws_redshift_parameter_group.analytics.name
  cluster_subnet_group_name           = aws_redshift_subnet_group.analytics.name
  automated_snapshot_retention_period = 3
  preferred_maintenance_window        = "sun:05:00-sun:05:30"
  skip_final_snapshot                 = true
  # Changed by the second apply: the provider tags the cluster by its ARN (CreateTags), built with
  # the account STS answered.
  tags = var.restore ? { team = "data", env = "test", stage = "restored" } : { team = "data", env = "test" }
}

resource "aws_redshift_snapshot_schedule_association" "analytics" {
  cluster_identifier  = aws_redshift_cluster.analytics.id
  schedule_identifier = aws_redshift_snapshot_schedule.twice_a_day.id
}

resource "aws_redshift_logging" "analytics" {
  cluster_identifier   = aws_redshift_cluster.analytics.id
  log_destination_type = "cloudwatch"
  log_exports          = ["connectionlog", "userlog"]
}

resource "aws_redshift_usage_limit" "concurrency" {
  cluster_identifier = aws_redshift_cluster.analytics.id
  feature_type       = "concurrency-scaling"
  limit_type         = "time"
  amount             = 60
  period             = "monthly"
  breach_action      = "log"
  tags               = { team = "data" }
}

resource "aws_redshift_scheduled_action" "nightly_pause" {
  name        = "tf-nightly-pause"
  description = "pause at night"
  schedule    = "cron(0 23 * * ? *)"
  iam_role    = "arn:aws:iam::111111111111:role/redshift-scheduler"
  target_action {
    pause_cluster {
      cluster_identifier = aws_redshift_cluster.analytics.id
    }
  }
}

resource "aws_redshift_snapshot_copy_grant" "analytics" {
  snapshot_copy_grant_name = "tf-analytics-grant"
  tags                     = { team = "data" }
}

resource "aws_redshiftserverless_namespace" "analytics" {
  namespace_name      = "tf-analytics"
  admin_username      = "admin"
  admin_user_password = "Passw0rd1"
  db_name             = "analytics"
  log_exports         = ["userlog"]
  tags                = { team = "data" }
}

resource "aws_redshiftserverless_workgroup" "analytics" {
  namespace_name = aws_redshiftserverless_namespace.analytics.namespace_name
  workgroup_name = "tf-analytics"
  base_capacity  = 8
  tags           = { team = "data" }
}

resource "aws_redshiftserverless_usage_limit" "compute" {
  resource_arn  = aws_redshiftserverless_workgroup.analytics.arn
  usage_type    = "serverless-compute"
  amount        = 60
  period        = "daily"
  breach_action = "log"
}

resource "aws_redshiftserverless_snapshot" "analytics" {
  namespace_name   = aws_redshiftserverless_workgroup.analytics.namespace_name
  snapshot_name    = "tf-analytics-serverless"
  retention_period = 7
}

# The second apply (restore = true): a manual snapshot of the cluster, taken after the test has
# loaded its rows, and a cluster restored from it.
resource "aws_redshift_cluster_snapshot" "analytics" {
  count                            = var.restore ? 1 : 0
  cluster_identifier               = aws_redshift_cluster.analytics.id
  snapshot_identifier              = "tf-analytics-manual"
  manual_snapshot_retention_period = 7
  tags                             = { team = "data" }
}

# Without tags: provider 5.100 sends none with RestoreFromClusterSnapshot (the next plan would add
# them, by an ARN it builds without the account id under skip_requesting_account_id).
resource "aws_redshift_cluster" "restored" {
  count               = var.restore ? 1 : 0
  cluster_identifier  = "tf-restored"
  snapshot_identifier = aws_redshift_cluster_snapshot.analytics[0].id
  node_type           = "ra3.xlplus"
  number_of_nodes     = 2
  master_username     = "admin" # the snapshot's: the provider reads it back
  port                = var.restored_port
  encrypted           = true
  skip_final_snapshot = true
}

output "endpoint" { value = aws_redshift_cluster.analytics.endpoint }
output "restored_endpoint" { value = var.restore ? aws_redshift_cluster.restored[0].endpoint : "" }
