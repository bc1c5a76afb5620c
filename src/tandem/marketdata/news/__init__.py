"""Real news items (East Money 快讯): parsing with the scraper's date bug corrected, stock recognition, queries.

``parse`` reads the scraped JSON files, ``recognise`` finds the stocks and industries an item names (jieba with the
store's instrument names as dictionary), ``importer`` writes both into the store's ``news`` and ``news_mentions``
tables in one atomic transaction, and ``query`` serves them as typed records to the web and CLI.
"""
