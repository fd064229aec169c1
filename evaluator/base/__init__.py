"""The base layer: what every stage shares and nothing of ours lies beneath.

The outcome vocabulary (:mod:`.status`), bilingual text and the profile's grade bands
(:mod:`.text`), the result and performance-summary models (:mod:`.result`, :mod:`.performance`)
and the one atomic-write helper (:mod:`.files`). Every package may import it; it imports only
itself (tests/test_layers.py), so the report, the outputs, the gate and the diff read a result
without loading the checks, the derived views or the browser stage.
"""
