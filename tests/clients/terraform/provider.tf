# Pointing the AWS provider at localshift: every Redshift and STS call to its endpoint (the provider
# validates its keys and reads its account with STS GetCallerIdentity, and builds the ARNs it tags by
# with that account), no instance metadata look-up (there is no EC2), static keys (in open mode a
# 12-digit access key is the account).
variable "endpoint" { type = string }

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "111111111111"
  secret_key                  = "localshift"
  skip_metadata_api_check     = true
  endpoints {
    redshift           = var.endpoint
    redshiftserverless = var.endpoint
    sts                = var.endpoint
  }
}
