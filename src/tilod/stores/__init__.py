"""Stores: where the serving layer gets its data, behind one interface (`base.DataStore`)."""
