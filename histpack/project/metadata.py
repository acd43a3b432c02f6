"""`histpack.yaml`: everything about the dataset that is not data (name, title, version, release,
people, licences), typed once and validated with one error line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from histpack.project.errors import BuildError
from histpack.project.yaml import load_yaml

METADATA_FILE = "histpack.yaml"


class Licence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, description="SPDX identifier, e.g. CC-BY-4.0")
    path: str = Field(min_length=1)
    title: str = Field(min_length=1)
    part: str = Field(min_length=1, description="what it covers: data or code")


class Contributor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    role: str = Field(min_length=1)
    description: str | None = None


class ProjectMetadata(BaseModel):
    """`histpack.yaml`: everything about the dataset that is not data, typed once."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    released: dt.date
    keywords: list[str]
    contributors: list[Contributor] = Field(min_length=1)
    licenses: list[Licence] = Field(min_length=1)
    text_rights: str = Field(min_length=1)
    text_tables: list[str]
    doi: str | None = Field(None, pattern=r"^10\.\d{4,9}/\S+$", description=(
        "The dataset's DOI, once one is reserved (e.g. on Zenodo before publishing); a release's deposit "
        "metadata carries it, or DataCite's `(:tba)` (to be assigned) without it."))

    @model_validator(mode="after")
    def _one_data_licence_and_an_author(self):
        if sum(1 for lic in self.licenses if lic.part == "data") != 1:
            raise ValueError("exactly one licence needs `part: data` (the one a citation of the dataset names)")
        if not any(c.role == "author" for c in self.contributors):
            raise ValueError("no contributor has role `author`")
        return self


def read_metadata(root: Path) -> ProjectMetadata:
    """The project's `histpack.yaml`, validated; one clear error line if it is missing or wrong."""
    path = Path(root) / METADATA_FILE
    if not path.is_file():
        raise BuildError(str(path), "no project metadata", "add histpack.yaml (name, title, version, released …)")
    raw = load_yaml(path.read_bytes(), str(path))  # bounded like every YAML input: depth, aliases
    try:
        return ProjectMetadata.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise BuildError(str(path), f"`{where}`: {first['msg']}") from None
