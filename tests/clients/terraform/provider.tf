# Pointing the AWS provider at localshift: every Redshift call to its endpoint, no account or
# metadata look-ups (localshift serves neither STS nor EC2), static keys (in open mode a 12-digit
# access key is the account).
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
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    redshift           = var.endpoint
    redshiftserverless = var.endpoint
  }
}
