"""The hostile-input catalogue of issue 12: every defect category tried through the real command line."""
