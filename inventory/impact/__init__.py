"""Impact and flows: kilos in and out of the stock, and what became of them."""
