"""Explanations of results (SPEC §8.4, §8.5).

- `phrases.py`         rules in words, made from the syntax tree when a rule set compiles
- `quotes.py`          the contract's own words for a citation
- `values.py`          one way to print a value, as text and as JSON
- `reading.py`         one result's values, phrases filled in, conditions evaluated again
- `model.py`           the Explanation: headline, notes, a paragraph per decision
- `text.py`, `data.py` the summary and the full derivation as text; the explanation as data
- `html.py`            the summary as a section of a page (`vilkar view --request`)
- `counterfactuals.py` what would change a decision (`candidates.py`, `cone.py`, `turning.py`)
"""
