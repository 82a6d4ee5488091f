"""Chapter analyses: the tables and numbers behind each chapter, computed from data/ and the scenario."""
