"""Getting the app onto AWS: the data stack, Chalice's stages, the packaged template.

Dev tooling only: Chalice ships ``app.py`` and ``chalicelib/``, never this folder.

    python -m deploy package --stage prod     # make package STAGE=prod
    python -m deploy deploy --stage dev       # make deploy STAGE=dev
    python -m deploy destroy --stage dev      # make destroy STAGE=dev
"""
