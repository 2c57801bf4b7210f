{{ config(materialized='incremental', unique_key='id', on_schema_change='sync_all_columns') }}
select id, name, plan from {{ ref('users') }}
