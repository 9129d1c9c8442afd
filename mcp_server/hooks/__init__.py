"""Agent hooks: payload handlers (_events), permission rules (_permissions), output replacement (_outputs)."""
