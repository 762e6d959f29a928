"""Names of the image space's jobs, importable without loading the image space itself.

The built-in plugin ``images`` registers them at every process start (the CLI included), so it
imports only this module; the job functions load the service when a job actually runs.
"""

from __future__ import annotations

JOB_UPLOAD_BATCH = "images.upload_batch"
JOB_IMPORT_ZIP = "images.import_zip"
JOB_FETCH_URLS = "images.fetch_urls"
JOB_CAPTURE_PRODUCT_IMAGES = "images.capture_product_images"

JOB_TITLES = {
    JOB_UPLOAD_BATCH: "Upload images",
    JOB_IMPORT_ZIP: "Import a ZIP of images",
    JOB_FETCH_URLS: "Fetch images by URL",
    JOB_CAPTURE_PRODUCT_IMAGES: "Save the external images of products",
}
"""Title of each job on the jobs page."""
