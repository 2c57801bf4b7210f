"""What the services share: the backend base (worker pool, ticker, read-change-write),
background-job helpers (progress, failures, leases on snapshot data), managed passwords,
ARN parsing and the limits both APIs state."""
