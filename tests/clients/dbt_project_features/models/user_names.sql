{{ config(materialized='view', persist_docs={'relation': true, 'columns': true}) }}
select id, name from {{ ref('users') }}
