"""What the data means on a date: review states, the guide's outcomes, review reports."""
