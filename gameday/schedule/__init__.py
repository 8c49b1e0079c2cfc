"""Scheduled game days: cron expressions, Kubernetes CronJob manifests, calendar files."""
