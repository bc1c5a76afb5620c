"""The screener (选股): a small, safe expression language evaluated point-in-time over a cross-section.

``parse(text)`` turns ``pe_ttm < 20 and roe > 0.15 and close > ma(close, 60)`` into an AST (tokenizer +
recursive descent; nothing is ever ``eval``-ed) and ``run_screen(text, day, source)`` evaluates it on one day.
"""
