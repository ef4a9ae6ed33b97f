//! `GET /api/openapi.json`: the API described as OpenAPI 3.1. Each operation carries an
//! `example` request and its success response names the `"schema"` it returns
//! (`x-stemma-schema`), so a test can call every documented operation with a real client
//! and check the server does what this document says.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::{json, Value};

const EXAMPLE_A: &str = "The licenses for most software are designed to take away your freedom \
to share and change it. By contrast, the GNU General Public License is intended to guarantee \
your freedom to share and change free software.";
const EXAMPLE_B: &str = "Our draft says: the licenses for most software are designed to take \
away your freedom to share and change it. The rest of this memo is our own.";

fn doc_schema() -> Value {
    json!({
        "type": "object",
        "description": "A document: inline text (with an optional title), or the id of an indexed document. There is no way to name a file on the server.",
        "additionalProperties": false,
        "properties": {
            "text": { "type": "string" },
            "title": { "type": "string" },
            "id": { "type": "string", "description": "With text: the id to show. Alone: an indexed document." },
            "source": { "type": "string" },
            "date": { "type": "string" }
        }
    })
}

fn ok(schema: &str, description: &str, html: bool) -> Value {
    let mut content = json!({
        "application/json": { "schema": { "type": "object", "required": ["schema"],
            "properties": { "schema": { "const": schema } } } }
    });
    if html {
        content["text/html"] = json!({ "schema": { "type": "string", "description": "The CLI's self-contained HTML report." } });
    }
    json!({ "description": description, "x-stemma-schema": schema, "content": content })
}

fn error(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": {
        "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn output_params() -> Value {
    json!([
        { "name": "format", "in": "query", "required": false,
          "schema": { "type": "string", "enum": ["json", "html"], "default": "json" },
          "description": "json: the CLI's JSON; html: the CLI's self-contained HTML report." },
        { "name": "download", "in": "query", "required": false,
          "schema": { "type": "string", "enum": ["1", "true"] },
          "description": "Answer as an attachment (Content-Disposition)." }
    ])
}

fn pair_body(extra: Value) -> Value {
    let mut props = json!({
        "a": { "$ref": "#/components/schemas/Doc" },
        "b": { "$ref": "#/components/schemas/Doc" }
    });
    if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    json!({
        "required": true,
        "content": {
            "application/json": {
                "schema": { "type": "object", "required": ["a", "b"], "additionalProperties": false, "properties": props },
                "example": { "a": { "text": EXAMPLE_A, "title": "GPL preamble" }, "b": { "text": EXAMPLE_B, "title": "Draft" } }
            },
            "multipart/form-data": {
                "schema": { "type": "object", "description": "Per side X (a, b): X (text), X_title, X_file (an upload, read by content) or X_id (indexed)." }
            }
        }
    })
}

/// The OpenAPI document.
pub(crate) fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "stemma",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Document provenance: compare, diff and trace documents against an indexed corpus. Results use the CLI's JSON schemas (top-level \"schema\" field); errors are {\"schema\": \"stemma.error/1\", \"error\": \"…\"}."
        },
        "paths": {
            "/api/compare": { "post": {
                "operationId": "compare",
                "summary": "Every shared passage of two documents.",
                "parameters": output_params(),
                "requestBody": pair_body(json!({
                    "min_words": { "type": "integer", "minimum": 1 },
                    "min_identity": { "type": "number", "minimum": 0, "maximum": 1 },
                    "all_alignments": { "type": "boolean", "default": false, "description": "Report alignments lying mostly inside a better passage as passages of their own (by default they are the passage's `also`)." }
                })),
                "responses": {
                    "200": ok("stemma.compare/1", "The passages.", true),
                    "400": error("Invalid request, or an empty document (no words), refused in the CLI's words."),
                    "404": error("An id that is not indexed."),
                    "413": error("Body larger than the server's limit."),
                    "422": error("An upload that is not a readable document.")
                }
            }},
            "/api/diff": { "post": {
                "operationId": "diff",
                "summary": "Compare two versions clause by clause.",
                "parameters": output_params(),
                "requestBody": pair_body(json!({
                    "granularity": { "type": "string", "enum": ["clause", "paragraph", "sentence"] },
                    "ignore_case": { "type": "boolean" },
                    "ignore_punctuation": { "type": "boolean" },
                    "ignore_numbering": { "type": "boolean" }
                })),
                "responses": {
                    "200": ok("stemma.diff/1", "The clause diff.", true),
                    "400": error("Invalid request, or an empty document (no words), refused in the CLI's words."),
                    "404": error("An id that is not indexed."),
                    "413": error("Body larger than the server's limit."),
                    "422": error("An upload that is not a readable document.")
                }
            }},
            "/api/trace": {
                "post": {
                    "operationId": "trace",
                    "summary": "Which indexed sources explain a document, passage by passage.",
                    "parameters": output_params(),
                    "requestBody": {
                        "required": true,
                        "content": {
                            "application/json": {
                                "schema": { "type": "object", "required": ["doc"], "additionalProperties": false, "properties": {
                                    "doc": { "$ref": "#/components/schemas/Doc" },
                                    "top": { "type": "integer", "minimum": 1, "maximum": 50, "default": 30, "description": "Candidate sources to align from shared fingerprints; BM25 over the document's sentences adds up to half as many again (reworded copies, short common originals)." },
                                    "cross_lingual": { "type": "string", "enum": ["auto", "never"], "default": "auto", "description": "Look for sources in other languages (when the index holds sentence embeddings and the server loaded the model), as `stemma trace --cross-lingual`; the result then has a cross_lingual section." },
                                    "xling_candidates": { "type": "integer", "minimum": 0, "maximum": 50, "default": 10, "description": "Candidate sources the cross-lingual channel adds at most; 0 turns it off." }
                                }},
                                "example": { "doc": { "text": EXAMPLE_B, "title": "Draft" }, "top": 5 }
                            },
                            "multipart/form-data": { "schema": { "type": "object", "description": "doc (text), doc_title, doc_file (an upload) or doc_id; top." } }
                        }
                    },
                    "responses": {
                        "200": ok("stemma.trace/1", "The attribution.", true),
                        "400": error("Invalid request, or an empty document (no words), refused in the CLI's words."),
                        "404": error("An id that is not indexed."),
                        "413": error("Body larger than the server's limit."),
                        "422": error("An upload that is not a readable document.")
                    }
                },
                "get": {
                    "operationId": "traceIndexed",
                    "summary": "Trace an indexed document against the rest of the index (where its text is shared).",
                    "parameters": [
                        { "name": "id", "in": "query", "required": true, "schema": { "type": "string" }, "example": "gpl-preamble" },
                        { "name": "top", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 50 } },
                        { "name": "cross_lingual", "in": "query", "required": false, "schema": { "type": "string", "enum": ["auto", "never"], "default": "auto" } },
                        { "name": "xling_candidates", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0, "maximum": 50, "default": 10 } },
                        { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "html"] } },
                        { "name": "download", "in": "query", "required": false, "schema": { "type": "string" } }
                    ],
                    "responses": {
                        "200": ok("stemma.trace/1", "The attribution.", true),
                        "400": error("Invalid request."),
                        "404": error("Not indexed.")
                    }
                }
            },
            "/api/documents": {
                "get": {
                    "operationId": "listDocuments",
                    "summary": "The indexed documents (metadata, no text).",
                    "responses": { "200": ok("stemma.index-list/1", "The documents.", false) }
                },
                "post": {
                    "operationId": "addDocuments",
                    "summary": "Add or replace documents: JSON with id and text, or multipart `file` uploads (read by content).",
                    "requestBody": {
                        "required": true,
                        "content": {
                            "application/json": {
                                "schema": { "type": "object", "required": ["documents"], "additionalProperties": false, "properties": {
                                    "documents": { "type": "array", "items": { "$ref": "#/components/schemas/Doc" } } } },
                                "example": { "documents": [ { "id": "gpl-preamble", "title": "GPL preamble", "date": "1991-06-01", "text": EXAMPLE_A } ] }
                            },
                            "multipart/form-data": { "schema": { "type": "object", "properties": {
                                "file": { "type": "array", "items": { "type": "string", "format": "binary" } },
                                "source": { "type": "string" }, "date": { "type": "string" } } } }
                        }
                    },
                    "responses": {
                        "200": ok("stemma.index-add/1", "What was added, replaced, unchanged or refused.", false),
                        "400": error("Invalid request."),
                        "413": error("Body larger than the server's limit."),
                        "422": ok("stemma.index-add/1", "Nothing could be added.", false)
                    }
                }
            },
            "/api/documents/{id}": {
                "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": "gpl-preamble" } ],
                "get": {
                    "operationId": "getDocument",
                    "summary": "One indexed document, with its text.",
                    "responses": { "200": ok("stemma.index-show/1", "The document.", false), "404": error("Not indexed.") }
                },
                "delete": {
                    "operationId": "deleteDocument",
                    "summary": "Remove a document from the index.",
                    "responses": { "200": ok("stemma.index-rm/1", "Removed.", false), "404": error("Not indexed.") }
                }
            },
            "/api/search": { "get": {
                "operationId": "search",
                "summary": "BM25 search over titles and texts.",
                "parameters": [
                    { "name": "q", "in": "query", "required": true, "schema": { "type": "string" }, "example": "freedom software" },
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 100 } }
                ],
                "responses": { "200": ok("stemma.index-search/1", "The hits.", false), "400": error("No query, a limit outside 1–100, or a query with nothing to look for (only stopwords, quotes, operators, field names or exclusions; over 10,000 bytes).") }
            }},
            "/api/openapi.json": { "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": {} } } }
            }}
        },
        "components": { "schemas": {
            "Doc": doc_schema(),
            "Error": { "type": "object", "required": ["schema", "error"], "properties": {
                "schema": { "const": "stemma.error/1" }, "error": { "type": "string" } } }
        }}
    })
}

/// `GET /api/openapi.json`.
pub(crate) async fn openapi() -> impl IntoResponse {
    let mut body = serde_json::to_string_pretty(&document()).expect("serializes");
    body.push('\n');
    ([(CONTENT_TYPE, "application/json")], body)
}
