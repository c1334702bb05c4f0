"""The Streamlit dashboard: presentation only; every model, loss and latent operation comes from ae_models."""
