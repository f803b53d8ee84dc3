"""`vilkar view`: the contract section by section, beside the rules that encode it, as one HTML page.

`model.py` gathers what the page shows (clauses, the rules citing each, status, test coverage,
interpretations), `timeline.py` the business time of a request, `page.py` writes the HTML, and
`lexer.py` is the Pygments lexer that highlights `.vk` (registered for `pygmentize -l vilkar` too).
"""
