"""The force dashboard for analysts: aggregates of the organisation's cases, SPO applications,
orders and breaches, per unit and month (ADR 0021). Never vault content, never names."""
