select count(*) as signups, max(loaded_at) as last_loaded_at from {{ source('landing', 'signups') }}
