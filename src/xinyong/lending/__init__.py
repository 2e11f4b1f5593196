"""信易贷 credit lending (work-plan item 十三): institutions, products, SME registrations, needs, outcomes."""
