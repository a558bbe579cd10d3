"""The device page's next-step panel: what to do next, and the banner of what is missing."""
