"""PEP 740 provenance and hash pinning.

* :mod:`.model` values (publishers, signer identities, reports); :mod:`.parse` bounded parsing;
  :mod:`.identity` repository URLs and publisher comparisons; :mod:`.check` verification of a file
  against its provenance; :mod:`.history` release-to-release comparison (pure);
  :mod:`.upload` the index side (accept, build the Integrity API object); :mod:`.hashes`
  hash-pinned requirements (pure).
* Adapters: :mod:`.verify` (Sigstore, offline by default), :mod:`.fetch` (httpx index client).
"""
