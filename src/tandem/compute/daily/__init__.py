"""Daily jobs run once per day however many scheduler processes start them: a claimed (job, day) row each."""
