"""wlm_json_configuration: its JSON shape as the Management Guide documents it, and which changes are dynamic.

The value is a JSON array of queues (objects); short query acceleration may be an
element of its own (``{"short_query_queue": true}``).  Properties a queue may have and
their types are checked; so are the documented limits (concurrency 1-50 per manual
queue and 50 in all, memory 100% in all, at most 8 queues, 25 query monitoring rules).

WLM properties are dynamic or static: a change of dynamic ones only (concurrency,
memory, timeouts, priority, concurrency scaling, rules, SQA) applies at once; adding or
removing queues, switching automatic/manual WLM, or changing the user and query groups a
queue serves waits for a reboot.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from localshift.errors import ApiError, invalid_parameter

DEFAULT = '[{"auto_wlm":true}]'
MAX_QUEUES = 8
MAX_CONCURRENCY = 50
MAX_RULES = 25
MAX_PREDICATES = 3
PRIORITIES = {"highest", "high", "normal", "low", "lowest"}
RULE_ACTIONS = {"log", "hop", "abort", "change_query_priority"}
OPERATORS = {"=", "<", ">"}

# Properties whose change needs a reboot (with the number of queues and the WLM mode).
STATIC_PROPERTIES = ("auto_wlm", "queue_type", "user_group", "user_group_wild_card", "query_group",
                     "query_group_wild_card")


def _error(reason: str) -> ApiError:
    return invalid_parameter(f"Invalid value for parameter wlm_json_configuration: {reason}.")


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _integer(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _wildcard(value: Any) -> bool:
    return value in (0, 1) or isinstance(value, bool)


def _groups(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and all(c.isalnum() or c in "_ " for c in value)


_PROPERTIES: dict[str, Callable[[Any], bool]] = {
    "auto_wlm": _boolean,
    "short_query_queue": _boolean,
    "max_execution_time": _integer(0, 2**31 - 1),
    "priority": lambda value: value in PRIORITIES,
    "queue_type": lambda value: value in ("auto", "manual"),
    "name": _name,
    "concurrency_scaling": lambda value: value in ("auto", "off"),
    "query_concurrency": _integer(1, MAX_CONCURRENCY),
    "user_group": _groups,
    "user_group_wild_card": _wildcard,
    "query_group": _groups,
    "query_group_wild_card": _wildcard,
    "memory_percent_to_use": _integer(0, 100),
    "rules": lambda value: isinstance(value, list),
}


def parse(text: str) -> list[dict[str, Any]]:
    """The queues of a wlm_json_configuration value, or InvalidParameterValue saying what is wrong."""
    try:
        config = json.loads(text)
    except (ValueError, RecursionError):
        raise _error("the value is not valid JSON") from None
    if not isinstance(config, list) or not config or not all(isinstance(queue, dict) for queue in config):
        raise _error("the value must be a JSON array of queue objects")
    for queue in config:
        for key, value in queue.items():
            check = _PROPERTIES.get(key)
            if check is None:
                raise _error(f"unknown property '{key}'")
            if not check(value):
                raise _error(f"property '{key}' has an invalid value {json.dumps(value)}")
        for rule in queue.get("rules", []):
            _check_rule(rule)
    queues = [queue for queue in config if set(queue) != {"short_query_queue"}]
    if len(queues) > MAX_QUEUES:
        raise _error(f"at most {MAX_QUEUES} queues are allowed")
    if sum(queue.get("query_concurrency", 0) for queue in queues) > MAX_CONCURRENCY:
        raise _error(f"the queues' query_concurrency adds up to more than {MAX_CONCURRENCY}")
    if sum(queue.get("memory_percent_to_use", 0) for queue in queues) > 100:
        raise _error("memory_percent_to_use adds up to more than 100")
    if sum(len(queue.get("rules", [])) for queue in queues) > MAX_RULES:
        raise _error(f"at most {MAX_RULES} query monitoring rules are allowed in all")
    return config


def _check_rule(rule: Any) -> None:
    if not isinstance(rule, dict) or not isinstance(rule.get("rule_name"), str):
        raise _error("each rule needs a rule_name")
    predicates = rule.get("predicate")
    if not isinstance(predicates, list) or not 1 <= len(predicates) <= MAX_PREDICATES:
        raise _error(f"rule {rule['rule_name']} needs 1 to {MAX_PREDICATES} predicates")
    for predicate in predicates:
        if not (isinstance(predicate, dict) and isinstance(predicate.get("metric_name"), str)
                and predicate.get("operator") in OPERATORS and isinstance(predicate.get("value"), (int, float))):
            raise _error(f"rule {rule['rule_name']} has an invalid predicate")
    if rule.get("action") not in RULE_ACTIONS:
        raise _error(f"rule {rule['rule_name']} has an invalid action")


def needs_reboot(old: str, new: str) -> bool:
    """Whether changing from ``old`` to ``new`` touches a static property (both valid values)."""
    old_queues = [q for q in parse(old) if set(q) != {"short_query_queue"}]
    new_queues = [q for q in parse(new) if set(q) != {"short_query_queue"}]
    if len(old_queues) != len(new_queues):
        return True
    return any(
        before.get(key) != after.get(key) for before, after in zip(old_queues, new_queues) for key in STATIC_PROPERTIES
    )
