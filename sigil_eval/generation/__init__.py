"""From a model behind an OpenAI-compatible server to samples: prompts, requests, a durable samples file."""
