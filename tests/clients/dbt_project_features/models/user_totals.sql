{{ config(persist_docs={'relation': true, 'columns': true}) }}
select u.id as user_id, u.name, cast(coalesce(sum(e.amount), 0) as decimal(12,2)) as spent
from {{ ref('users') }} u
left join {{ ref('events') }} e on e.user_id = u.id
group by u.id, u.name
