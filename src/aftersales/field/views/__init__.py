"""Pages of field service, one module per part: the dispatch board (R5, R38), appointments and their
calendar (R12), the engineer's phone pages for visits (R12) and the customer's sign-off (R15-R17),
supervision cards (R19) and the printed forms (R15, R16, R19, R21).

Thin views: rows through selectors (scoped: out of scope is a 404), writes through services, what a
user may do from `policies` and the lifecycles; refusals come back as messages, never a 500."""
