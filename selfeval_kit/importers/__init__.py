"""Importers: forms read from other formats into `ImportedForm`s, and written as YAML form files.

* `selfeval_kit.importers.source.read_source`: a file by its kind (.xlsx, .txt);
* `selfeval_kit.importers.workbook.read_workbook`: Excel workbooks (the official layout, flat tables);
* `selfeval_kit.importers.text.read_text`: text extracted from published PDFs;
* `selfeval_kit.importers.imported`: what every reader returns (`ImportedForm`, `slug`);
* `selfeval_kit.importers.writing.write_forms`: validated YAML files, all or nothing.

Within the package, imports go one way: source → workbook, text → imported; writing → imported.
"""
