"""Customer operations: account-opening funnel, cohorts, attribution, campaigns with control groups, partner view."""
