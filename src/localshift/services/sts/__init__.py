"""AWS STS, as far as clients of Redshift need it: who the caller is (GetCallerIdentity)."""
