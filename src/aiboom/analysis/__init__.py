"""Chapter analyses: the tables and numbers behind each chapter, from data/ and the scenario."""
