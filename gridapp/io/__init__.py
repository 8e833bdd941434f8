"""Excel import and export, and what printouts contain. No Qt widgets here."""
