"""Core: errors, config, provenance, countries, money, i18n."""
