/// The OpenAPI 3.1 document of every route, served at `GET /openapi.json`. Kept true by
/// `OpenAPIConformanceTests`, which validates it and checks real responses against its schemas.
enum OpenAPIDocument {
    static let json = #"""
{
 "components": {
  "headers": {
   "RateLimit": {
    "description": "What is left of the allowance, e.g. `\"transforms\";r=19;t=1`: r requests left now, full again in t seconds.",
    "schema": {
     "type": "string"
    }
   },
   "RateLimit-Policy": {
    "description": "The allowance of the action, e.g. `\"transforms\";q=20;w=20`: a burst of q requests, refilled in w seconds.",
    "schema": {
     "type": "string"
    }
   },
   "Retry-After": {
    "description": "Seconds to wait before trying again.",
    "schema": {
     "type": "string"
    }
   }
  },
  "responses": {
   "OriginalMissing": {
    "content": {
     "application/problem+json": {
      "schema": {
       "$ref": "#/components/schemas/Problem"
      }
     }
    },
    "description": "original_missing: the object store has no bytes for this image (or for the original a variant would be made from again); listings say `bytes_missing` until they are restored."
   },
   "Problem": {
    "content": {
     "application/problem+json": {
      "schema": {
       "$ref": "#/components/schemas/Problem"
      }
     }
    },
    "description": "An error, as an RFC 9457 problem document."
   },
   "RateLimited": {
    "content": {
     "application/problem+json": {
      "schema": {
       "$ref": "#/components/schemas/Problem"
      }
     }
    },
    "description": "rate_limited: the caller's allowance for this action is used up; nothing was created.",
    "headers": {
     "RateLimit": {
      "$ref": "#/components/headers/RateLimit"
     },
     "RateLimit-Policy": {
      "$ref": "#/components/headers/RateLimit-Policy"
     },
     "Retry-After": {
      "$ref": "#/components/headers/Retry-After"
     }
    }
   }
  },
  "schemas": {
   "Credentials": {
    "additionalProperties": false,
    "properties": {
     "password": {
      "maxLength": 1024,
      "minLength": 8,
      "type": "string"
     },
     "username": {
      "description": "Kept as typed and compared case-insensitively; no leading or trailing spaces, no control characters.",
      "maxLength": 254,
      "minLength": 3,
      "pattern": "^[^\\s\\x00-\\x1f\\x7f-\\x9f](?:[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f])?$",
      "type": "string"
     }
    },
    "required": [
     "username",
     "password"
    ],
    "type": "object"
   },
   "Health": {
    "properties": {
     "status": {
      "const": "ok"
     }
    },
    "required": [
     "status"
    ],
    "type": "object"
   },
   "Image": {
    "additionalProperties": false,
    "properties": {
     "bytes_missing": {
      "description": "The object store has no bytes for this image and they cannot be made again (deleted behind the service's back, or a bucket restored from an older backup): its GET answers 410 `original_missing` until they are restored. A variant whose bytes are lost is made again instead, so it is false for it.",
      "type": "boolean"
     },
     "content_type": {
      "type": "string"
     },
     "created_at": {
      "format": "date-time",
      "type": "string"
     },
     "error": {
      "oneOf": [
       {
        "type": "null"
       },
       {
        "properties": {
         "code": {
          "type": "string"
         },
         "message": {
          "type": "string"
         }
        },
        "required": [
         "code",
         "message"
        ],
        "type": "object"
       }
      ]
     },
     "filename": {
      "type": "string"
     },
     "format": {
      "enum": [
       "jpeg",
       "png",
       "webp",
       "avif",
       "heif",
       "gif",
       "tiff"
      ]
     },
     "height": {
      "type": [
       "integer",
       "null"
      ]
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "size_bytes": {
      "type": [
       "integer",
       "null"
      ]
     },
     "source_id": {
      "format": "uuid",
      "type": [
       "string",
       "null"
      ]
     },
     "status": {
      "enum": [
       "queued",
       "processing",
       "ready",
       "failed"
      ]
     },
     "transformations": {
      "oneOf": [
       {
        "type": "null"
       },
       {
        "$ref": "#/components/schemas/Transformations"
       }
      ]
     },
     "updated_at": {
      "format": "date-time",
      "type": "string"
     },
     "url": {
      "type": "string"
     },
     "width": {
      "type": [
       "integer",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "filename",
     "format",
     "content_type",
     "width",
     "height",
     "size_bytes",
     "status",
     "source_id",
     "transformations",
     "error",
     "url",
     "bytes_missing",
     "created_at",
     "updated_at"
    ],
    "type": "object"
   },
   "ImageMetadata": {
    "additionalProperties": false,
    "description": "The `Image`, and what the stored bytes say beyond it; every added field is null until the image is ready (or when its bytes cannot be read). Nothing stripped at upload (EXIF, GPS, XMP, ICC) is read back.",
    "properties": {
     "blurhash": {
      "description": "A BlurHash (blurha.sh) of 4x3 components of a 32 px thumbnail, alpha flattened onto white: a placeholder to draw while the image loads.",
      "type": [
       "string",
       "null"
      ]
     },
     "bytes_missing": {
      "description": "The object store has no bytes for this image and they cannot be made again (deleted behind the service's back, or a bucket restored from an older backup): its GET answers 410 `original_missing` until they are restored. A variant whose bytes are lost is made again instead, so it is false for it.",
      "type": "boolean"
     },
     "color_space": {
      "description": "`srgb` or `grey` for every stored image (originals are normalized at upload).",
      "type": [
       "string",
       "null"
      ]
     },
     "content_type": {
      "type": "string"
     },
     "created_at": {
      "format": "date-time",
      "type": "string"
     },
     "dominant_color": {
      "description": "The mean of the most populous colour cell (16 levels a channel) of a 32 px thumbnail.",
      "pattern": "^#[0-9a-f]{6}$",
      "type": [
       "string",
       "null"
      ]
     },
     "error": {
      "oneOf": [
       {
        "type": "null"
       },
       {
        "properties": {
         "code": {
          "type": "string"
         },
         "message": {
          "type": "string"
         }
        },
        "required": [
         "code",
         "message"
        ],
        "type": "object"
       }
      ]
     },
     "filename": {
      "type": "string"
     },
     "format": {
      "enum": [
       "jpeg",
       "png",
       "webp",
       "avif",
       "heif",
       "gif",
       "tiff"
      ]
     },
     "frame_count": {
      "description": "Frames of the stored image: an animated GIF or WebP keeps all of the upload's; a multi-page TIFF (or HEIF) is stored as its first page, so 1.",
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "has_alpha": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "height": {
      "type": [
       "integer",
       "null"
      ]
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "orientation_applied": {
      "description": "The EXIF orientation the upload was turned upright by (1: none); null when not known (variants, and originals analysed after their upload).",
      "maximum": 8,
      "minimum": 1,
      "type": [
       "integer",
       "null"
      ]
     },
     "size_bytes": {
      "type": [
       "integer",
       "null"
      ]
     },
     "source_id": {
      "format": "uuid",
      "type": [
       "string",
       "null"
      ]
     },
     "status": {
      "enum": [
       "queued",
       "processing",
       "ready",
       "failed"
      ]
     },
     "transformations": {
      "oneOf": [
       {
        "type": "null"
       },
       {
        "$ref": "#/components/schemas/Transformations"
       }
      ]
     },
     "updated_at": {
      "format": "date-time",
      "type": "string"
     },
     "url": {
      "type": "string"
     },
     "width": {
      "type": [
       "integer",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "filename",
     "format",
     "content_type",
     "width",
     "height",
     "size_bytes",
     "status",
     "source_id",
     "transformations",
     "error",
     "url",
     "bytes_missing",
     "created_at",
     "updated_at",
     "has_alpha",
     "color_space",
     "frame_count",
     "orientation_applied",
     "dominant_color",
     "blurhash"
    ],
    "type": "object"
   },
   "ImagePage": {
    "additionalProperties": false,
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/Image"
      },
      "type": "array"
     },
     "limit": {
      "type": "integer"
     },
     "page": {
      "type": "integer"
     },
     "skip": {
      "type": "integer"
     },
     "total": {
      "type": "integer"
     }
    },
    "required": [
     "items",
     "total",
     "page",
     "limit",
     "skip"
    ],
    "type": "object"
   },
   "PresignedUpload": {
    "description": "Where to PUT the bytes of a presigned upload, and how to finish it.",
    "properties": {
     "complete_url": {
      "description": "POST here once the PUT succeeded.",
      "type": "string"
     },
     "expires_at": {
      "format": "date-time",
      "type": "string"
     },
     "headers": {
      "additionalProperties": {
       "type": "string"
      },
      "description": "Headers the PUT must carry exactly (they are signed): `content-length` is `size_bytes`.",
      "type": "object"
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "max_bytes": {
      "type": "integer"
     },
     "method": {
      "const": "PUT",
      "type": "string"
     },
     "upload_url": {
      "description": "A presigned S3 PUT URL; send the image as the body, with exactly `headers`.",
      "format": "uri",
      "type": "string"
     }
    },
    "required": [
     "id",
     "method",
     "upload_url",
     "headers",
     "expires_at",
     "max_bytes",
     "complete_url"
    ],
    "type": "object"
   },
   "Problem": {
    "properties": {
     "code": {
      "description": "bad_request, unauthorized, not_found, username_taken, payload_too_large, unsupported_format, validation_failed, invalid_transformation, image_too_large, corrupt_image, transformation_failed, rate_limited, unavailable",
      "type": "string"
     },
     "detail": {
      "type": "string"
     },
     "errors": {
      "items": {
       "properties": {
        "field": {
         "type": "string"
        },
        "message": {
         "type": "string"
        }
       },
       "required": [
        "field",
        "message"
       ],
       "type": "object"
      },
      "type": "array"
     },
     "status": {
      "type": "integer"
     },
     "title": {
      "type": "string"
     },
     "type": {
      "type": "string"
     }
    },
    "required": [
     "type",
     "title",
     "status",
     "detail",
     "code"
    ],
    "type": "object"
   },
   "Readiness": {
    "properties": {
     "checks": {
      "additionalProperties": {
       "enum": [
        "up",
        "down"
       ]
      },
      "type": "object"
     },
     "status": {
      "const": "ready"
     }
    },
    "required": [
     "status",
     "checks"
    ],
    "type": "object"
   },
   "Session": {
    "additionalProperties": false,
    "properties": {
     "expires_in": {
      "type": "integer"
     },
     "token": {
      "type": "string"
     },
     "token_type": {
      "const": "Bearer"
     },
     "user": {
      "$ref": "#/components/schemas/User"
     }
    },
    "required": [
     "user",
     "token",
     "token_type",
     "expires_in"
    ],
    "type": "object"
   },
   "Token": {
    "additionalProperties": false,
    "properties": {
     "access_token": {
      "type": "string"
     },
     "expires_in": {
      "type": "integer"
     },
     "token_type": {
      "const": "bearer"
     }
    },
    "required": [
     "access_token",
     "token_type",
     "expires_in"
    ],
    "type": "object"
   },
   "Transformations": {
    "additionalProperties": false,
    "properties": {
     "animated": {
      "default": true,
      "description": "An animated GIF or WebP source keeps every frame (with its delays and loop count) when the result is GIF or WebP; `false` takes the first frame, as a still format does.",
      "type": "boolean"
     },
     "compress": {
      "type": "boolean"
     },
     "crop": {
      "additionalProperties": false,
      "properties": {
       "height": {
        "minimum": 1,
        "type": "integer"
       },
       "width": {
        "minimum": 1,
        "type": "integer"
       },
       "x": {
        "minimum": 0,
        "type": "integer"
       },
       "y": {
        "minimum": 0,
        "type": "integer"
       }
      },
      "required": [
       "x",
       "y",
       "width",
       "height"
      ],
      "type": "object"
     },
     "filters": {
      "additionalProperties": false,
      "properties": {
       "blur": {
        "description": "Gaussian sigma, 0.3 to 100 (0 for none).",
        "maximum": 100,
        "minimum": 0,
        "type": "number"
       },
       "grayscale": {
        "type": "boolean"
       },
       "invert": {
        "type": "boolean"
       },
       "sepia": {
        "type": "boolean"
       },
       "sharpen": {
        "type": "boolean"
       }
      },
      "type": "object"
     },
     "flip": {
      "type": "boolean"
     },
     "format": {
      "enum": [
       "jpeg",
       "jpg",
       "png",
       "webp",
       "avif",
       "heif",
       "gif",
       "tiff"
      ]
     },
     "mirror": {
      "type": "boolean"
     },
     "pipeline": {
      "description": "Steps run in the order given, instead of the fixed order of the other operation fields (which may not be given with it; `format`, `quality` and `compress` may). Each step is an object of one operation, as its field is written; each crop is checked against the image the steps before it make (`transformations.pipeline[2].crop`). A pipeline in the fixed order, each kind once, is the same spec and variant as the fixed-order object.",
      "items": {
       "oneOf": [
        {
         "additionalProperties": false,
         "properties": {
          "crop": {
           "additionalProperties": false,
           "properties": {
            "height": {
             "minimum": 1,
             "type": "integer"
            },
            "width": {
             "minimum": 1,
             "type": "integer"
            },
            "x": {
             "minimum": 0,
             "type": "integer"
            },
            "y": {
             "minimum": 0,
             "type": "integer"
            }
           },
           "required": [
            "x",
            "y",
            "width",
            "height"
           ],
           "type": "object"
          }
         },
         "required": [
          "crop"
         ],
         "type": "object"
        },
        {
         "additionalProperties": false,
         "properties": {
          "resize": {
           "additionalProperties": false,
           "properties": {
            "fit": {
             "enum": [
              "fill",
              "cover",
              "contain",
              "inside"
             ]
            },
            "gravity": {
             "description": "With `fit: cover` and both sides (a gravity without a fit means cover): the part the crop keeps. `centre` (the default; `center` is the same), an edge or corner of the axis that is cut, `smart` (libvips smartcrop, attention: skin, saturation, edges) or `entropy` (the busiest part).",
             "enum": [
              "centre",
              "center",
              "north",
              "northeast",
              "east",
              "southeast",
              "south",
              "southwest",
              "west",
              "northwest",
              "smart",
              "entropy"
             ]
            },
            "height": {
             "maximum": 8192,
             "minimum": 1,
             "type": "integer"
            },
            "width": {
             "maximum": 8192,
             "minimum": 1,
             "type": "integer"
            }
           },
           "type": "object"
          }
         },
         "required": [
          "resize"
         ],
         "type": "object"
        },
        {
         "additionalProperties": false,
         "properties": {
          "rotate": {
           "description": "Degrees clockwise, taken modulo 360.",
           "type": "number"
          }
         },
         "required": [
          "rotate"
         ],
         "type": "object"
        },
        {
         "additionalProperties": false,
         "properties": {
          "flip": {
           "type": "boolean"
          }
         },
         "required": [
          "flip"
         ],
         "type": "object"
        },
        {
         "additionalProperties": false,
         "properties": {
          "mirror": {
           "type": "boolean"
          }
         },
         "required": [
          "mirror"
         ],
         "type": "object"
        },
        {
         "additionalProperties": false,
         "properties": {
          "filters": {
           "additionalProperties": false,
           "properties": {
            "blur": {
             "description": "Gaussian sigma, 0.3 to 100 (0 for none).",
             "maximum": 100,
             "minimum": 0,
             "type": "number"
            },
            "grayscale": {
             "type": "boolean"
            },
            "invert": {
             "type": "boolean"
            },
            "sepia": {
             "type": "boolean"
            },
            "sharpen": {
             "type": "boolean"
            }
           },
           "type": "object"
          }
         },
         "required": [
          "filters"
         ],
         "type": "object"
        },
        {
         "additionalProperties": false,
         "properties": {
          "watermark": {
           "additionalProperties": false,
           "properties": {
            "opacity": {
             "default": 0.5,
             "maximum": 1,
             "minimum": 0,
             "type": "number"
            },
            "position": {
             "default": "bottom-right",
             "enum": [
              "bottom-right",
              "bottom-left",
              "top-right",
              "top-left",
              "center"
             ]
            },
            "text": {
             "maxLength": 200,
             "minLength": 1,
             "type": "string"
            }
           },
           "required": [
            "text"
           ],
           "type": "object"
          }
         },
         "required": [
          "watermark"
         ],
         "type": "object"
        }
       ]
      },
      "maxItems": 16,
      "minItems": 1,
      "type": "array"
     },
     "quality": {
      "maximum": 100,
      "minimum": 1,
      "type": "integer"
     },
     "resize": {
      "additionalProperties": false,
      "properties": {
       "fit": {
        "enum": [
         "fill",
         "cover",
         "contain",
         "inside"
        ]
       },
       "gravity": {
        "description": "With `fit: cover` and both sides (a gravity without a fit means cover): the part the crop keeps. `centre` (the default; `center` is the same), an edge or corner of the axis that is cut, `smart` (libvips smartcrop, attention: skin, saturation, edges) or `entropy` (the busiest part).",
        "enum": [
         "centre",
         "center",
         "north",
         "northeast",
         "east",
         "southeast",
         "south",
         "southwest",
         "west",
         "northwest",
         "smart",
         "entropy"
        ]
       },
       "height": {
        "maximum": 8192,
        "minimum": 1,
        "type": "integer"
       },
       "width": {
        "maximum": 8192,
        "minimum": 1,
        "type": "integer"
       }
      },
      "type": "object"
     },
     "rotate": {
      "description": "Degrees clockwise, taken modulo 360.",
      "type": "number"
     },
     "watermark": {
      "additionalProperties": false,
      "properties": {
       "opacity": {
        "default": 0.5,
        "maximum": 1,
        "minimum": 0,
        "type": "number"
       },
       "position": {
        "default": "bottom-right",
        "enum": [
         "bottom-right",
         "bottom-left",
         "top-right",
         "top-left",
         "center"
        ]
       },
       "text": {
        "maxLength": 200,
        "minLength": 1,
        "type": "string"
       }
      },
      "required": [
       "text"
      ],
      "type": "object"
     }
    },
    "type": "object"
   },
   "User": {
    "additionalProperties": false,
    "properties": {
     "created_at": {
      "format": "date-time",
      "type": "string"
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "username": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "username",
     "created_at"
    ],
    "type": "object"
   },
   "Webhook": {
    "additionalProperties": false,
    "properties": {
     "created_at": {
      "format": "date-time",
      "type": "string"
     },
     "deliveries_url": {
      "description": "Path of the webhook's deliveries.",
      "type": "string"
     },
     "description": {
      "type": [
       "string",
       "null"
      ]
     },
     "events": {
      "items": {
       "enum": [
        "variant.ready",
        "variant.failed"
       ],
       "type": "string"
      },
      "minItems": 1,
      "type": "array"
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "secret": {
      "description": "The signing secret, `whsec_` and base64 of 32 bytes; only in the answer that creates the webhook.",
      "pattern": "^whsec_[A-Za-z0-9+/=]+$",
      "type": "string"
     },
     "url": {
      "format": "uri",
      "type": "string"
     }
    },
    "required": [
     "id",
     "url",
     "events",
     "description",
     "deliveries_url",
     "created_at"
    ],
    "type": "object"
   },
   "WebhookDelivery": {
    "additionalProperties": false,
    "properties": {
     "attempts": {
      "items": {
       "additionalProperties": false,
       "properties": {
        "at": {
         "format": "date-time",
         "type": "string"
        },
        "duration_ms": {
         "minimum": 0,
         "type": "integer"
        },
        "error": {
         "description": "Why no answer came (connection refused, timeout, refused address...).",
         "type": "string"
        },
        "status_code": {
         "description": "The receiver's HTTP status.",
         "type": "integer"
        }
       },
       "required": [
        "at",
        "duration_ms"
       ],
       "type": "object"
      },
      "type": "array"
     },
     "created_at": {
      "format": "date-time",
      "type": "string"
     },
     "event_type": {
      "enum": [
       "variant.ready",
       "variant.failed"
      ],
      "type": "string"
     },
     "finished_at": {
      "format": "date-time",
      "type": [
       "string",
       "null"
      ]
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "image_id": {
      "format": "uuid",
      "type": "string"
     },
     "next_attempt_at": {
      "description": "When the next attempt is due; null once delivered or failed.",
      "format": "date-time",
      "type": [
       "string",
       "null"
      ]
     },
     "payload": {
      "oneOf": [
       {
        "$ref": "#/components/schemas/WebhookEvent"
       },
       {
        "type": "null"
       }
      ]
     },
     "state": {
      "enum": [
       "pending",
       "delivered",
       "failed"
      ],
      "type": "string"
     },
     "webhook_id": {
      "format": "uuid",
      "type": "string"
     }
    },
    "required": [
     "id",
     "webhook_id",
     "event_type",
     "image_id",
     "state",
     "attempts",
     "next_attempt_at",
     "created_at",
     "finished_at",
     "payload"
    ],
    "type": "object"
   },
   "WebhookEvent": {
    "additionalProperties": false,
    "description": "The body of a delivery, signed as Standard Webhooks says: `webhook-id` (this `id`), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature` (`v1,` and base64 of HMAC-SHA256 over `<id>.<timestamp>.<body>` keyed with the secret's bytes).",
    "properties": {
     "data": {
      "$ref": "#/components/schemas/Image"
     },
     "id": {
      "format": "uuid",
      "type": "string"
     },
     "timestamp": {
      "format": "date-time",
      "type": "string"
     },
     "type": {
      "enum": [
       "variant.ready",
       "variant.failed"
      ],
      "type": "string"
     }
    },
    "required": [
     "data",
     "id",
     "timestamp",
     "type"
    ],
    "type": "object"
   }
  },
  "securitySchemes": {
   "bearerAuth": {
    "bearerFormat": "JWT",
    "scheme": "bearer",
    "type": "http"
   }
  }
 },
 "info": {
  "description": "An image processing API: accounts, uploads, asynchronous transformations, retrieval and listing. Every error is an RFC 9457 problem document with a stable `code`. Every GET operation also answers HEAD (the same status and headers, Content-Length included, no body). A path that exists, asked with a method it does not take, is 405 `method_not_allowed` with `Allow` (OPTIONS on it: 204 with `Allow`); an unknown path is 404 `not_found`. `If-None-Match` compares weakly. Cross-origin calls are allowed only from the origins the deployment lists (CORS_ALLOWED_ORIGINS, the template's ApiCorsOrigins); the gateway answers their preflights.",
  "title": "ImageFunctions",
  "version": "1.0.0"
 },
 "openapi": "3.1.0",
 "paths": {
  "/": {
   "get": {
    "description": "The gallery: a small web app (plain HTML, CSS and JavaScript modules) that signs up or in, uploads with progress, shows the library as a grid with search and paging, and transforms, previews, downloads and deletes images through this API.",
    "operationId": "gallery",
    "parameters": [
     {
      "in": "header",
      "name": "If-None-Match",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "text/html": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "The gallery's page.",
      "headers": {
       "Content-Security-Policy": {
        "description": "Only the gallery's own scripts and styles; images from blob URLs.",
        "schema": {
         "type": "string"
        }
       },
       "ETag": {
        "description": "A strong validator of the file's bytes.",
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "304": {
      "description": "The page has not changed."
     }
    },
    "summary": "The gallery web app."
   }
  },
  "/gallery/{file}": {
   "get": {
    "operationId": "galleryFile",
    "parameters": [
     {
      "in": "path",
      "name": "file",
      "required": true,
      "schema": {
       "enum": [
        "index.html",
        "app.js",
        "api.js",
        "transformations.js",
        "style.css"
       ],
       "type": "string"
      }
     },
     {
      "in": "header",
      "name": "If-None-Match",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "text/css": {
        "schema": {
         "type": "string"
        }
       },
       "text/html": {
        "schema": {
         "type": "string"
        }
       },
       "text/javascript": {
        "schema": {
         "type": "string"
        }
       }
      },
      "description": "The file.",
      "headers": {
       "Content-Security-Policy": {
        "description": "Only the gallery's own scripts and styles; images from blob URLs.",
        "schema": {
         "type": "string"
        }
       },
       "ETag": {
        "description": "A strong validator of the file's bytes.",
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "304": {
      "description": "The file has not changed."
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "One of the gallery's files."
   }
  },
  "/healthz": {
   "get": {
    "operationId": "health",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Health"
        }
       }
      },
      "description": "The process answers."
     }
    },
    "summary": "Liveness."
   }
  },
  "/image/{id}": {
   "get": {
    "operationId": "imageLegacy",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     },
     {
      "in": "query",
      "name": "format",
      "schema": {
       "enum": [
        "jpeg",
        "png",
        "webp",
        "avif",
        "heif",
        "gif",
        "tiff"
       ]
      }
     },
     {
      "description": "`1` or `true`: answer with a 302 to a short-lived presigned URL of the bytes, whatever their size. Without it, bytes over the inline limit (4,706,304 bytes: a Lambda response carries at most 6 MB, base64 a third more) are redirected and smaller ones answered inline; `0` or `false` is the same as leaving it out.",
      "in": "query",
      "name": "redirect",
      "schema": {
       "enum": [
        "1",
        "true",
        "0",
        "false"
       ],
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "image/*": {
        "schema": {
         "format": "binary",
         "type": "string"
        }
       }
      },
      "description": "The bytes."
     },
     "202": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "Not ready yet."
     },
     "302": {
      "description": "The bytes are at `Location`: a presigned object-store URL valid for `S3_PRESIGN_DOWNLOAD_SECONDS` (default 300), needing no credentials, answered with the image's content type and an `inline` Content-Disposition with its name. Follow it without the Authorization header.",
      "headers": {
       "Cache-Control": {
        "description": "`private, no-store`: the URL expires.",
        "schema": {
         "type": "string"
        }
       },
       "ETag": {
        "schema": {
         "type": "string"
        }
       },
       "Location": {
        "description": "The presigned URL.",
        "schema": {
         "format": "uri",
         "type": "string"
        }
       }
      }
     },
     "304": {
      "description": "Not modified."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "The image's bytes (original service)."
   }
  },
  "/images": {
   "get": {
    "operationId": "list",
    "parameters": [
     {
      "description": "Page number, from 1.",
      "in": "query",
      "name": "page",
      "schema": {
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "Items to skip (instead of page).",
      "in": "query",
      "name": "skip",
      "schema": {
       "minimum": 0,
       "type": "integer"
      }
     },
     {
      "description": "Items per page; above 100 is capped to 100.",
      "in": "query",
      "name": "limit",
      "schema": {
       "default": 10,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "Case-insensitive substring of the filename; % and _ are literal.",
      "in": "query",
      "name": "q",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ImagePage"
        }
       }
      },
      "description": "A page of images."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "The caller's original images, newest first."
   },
   "post": {
    "operationId": "upload",
    "parameters": [
     {
      "description": "Display name for a raw body.",
      "in": "query",
      "name": "filename",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "image/*": {
       "schema": {
        "format": "binary",
        "type": "string"
       }
      },
      "multipart/form-data": {
       "schema": {
        "properties": {
         "file": {
          "format": "binary",
          "type": "string"
         },
         "image": {
          "format": "binary",
          "type": "string"
         }
        },
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The stored image.",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       },
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "413": {
      "$ref": "#/components/responses/Problem"
     },
     "415": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Upload an image (multipart `file` or `image`, or a raw image/* body)."
   }
  },
  "/images/upload": {
   "post": {
    "operationId": "uploadBase64",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "properties": {
         "filename": {
          "type": "string"
         },
         "image": {
          "contentEncoding": "base64",
          "type": "string"
         }
        },
        "required": [
         "image"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The stored image.",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       },
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "413": {
      "$ref": "#/components/responses/Problem"
     },
     "415": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Upload a base64 image (original service)."
   }
  },
  "/images/uploads": {
   "post": {
    "description": "The way to upload images larger than a direct request can carry (API Gateway takes 10 MB, Lambda 6 MB with base64). PUT the bytes to `upload_url` with `headers`, then POST `complete_url`. Counts against the uploads rate limit; an upload whose bytes are refused at completion gives it back.",
    "operationId": "startPresignedUpload",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "additionalProperties": false,
        "properties": {
         "filename": {
          "type": "string"
         },
         "size_bytes": {
          "description": "The exact size of the image in bytes.",
          "maximum": 25000000,
          "minimum": 1,
          "type": "integer"
         }
        },
        "required": [
         "size_bytes"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PresignedUpload"
        }
       }
      },
      "description": "The upload URL.",
      "headers": {
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      },
      "links": {
       "CompleteUpload": {
        "description": "Finish this upload once its bytes are PUT.",
        "operationId": "completePresignedUpload",
        "parameters": {
         "id": "$response.body#/id"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "413": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Start an upload of any size up to the limit: a presigned PUT straight to the object store."
   }
  },
  "/images/uploads/{id}/complete": {
   "post": {
    "description": "201 with the new image. Completing again answers 200 with the same image. Bytes that are not an acceptable image are deleted and answered with their problem (415, 413, 422); the upload may be PUT again and completed while its URL lasts. 409 `upload_not_received` before anything was PUT, 409 `upload_in_progress` while another request completes it.",
    "operationId": "completePresignedUpload",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "Completed before: the image it made.",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The stored image.",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "409": {
      "$ref": "#/components/responses/Problem"
     },
     "413": {
      "$ref": "#/components/responses/Problem"
     },
     "415": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Finish a presigned upload: its bytes are checked as a direct upload's are and the image is created."
   }
  },
  "/images/{id}": {
   "delete": {
    "operationId": "delete",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Deleted."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Delete an image, its variants and their bytes."
   },
   "get": {
    "operationId": "image",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     },
     {
      "description": "Convert (computed once, kept as a variant).",
      "in": "query",
      "name": "format",
      "schema": {
       "enum": [
        "jpeg",
        "png",
        "webp",
        "avif",
        "heif",
        "gif",
        "tiff"
       ]
      }
     },
     {
      "in": "header",
      "name": "If-None-Match",
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "`1` or `true`: answer with a 302 to a short-lived presigned URL of the bytes, whatever their size. Without it, bytes over the inline limit (4,706,304 bytes: a Lambda response carries at most 6 MB, base64 a third more) are redirected and smaller ones answered inline; `0` or `false` is the same as leaving it out.",
      "in": "query",
      "name": "redirect",
      "schema": {
       "enum": [
        "1",
        "true",
        "0",
        "false"
       ],
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "image/*": {
        "schema": {
         "format": "binary",
         "type": "string"
        }
       }
      },
      "description": "The bytes with their true content type.",
      "headers": {
       "ETag": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "202": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "A variant not ready yet.",
      "headers": {
       "Retry-After": {
        "schema": {
         "type": "integer"
        }
       }
      }
     },
     "302": {
      "description": "The bytes are at `Location`: a presigned object-store URL valid for `S3_PRESIGN_DOWNLOAD_SECONDS` (default 300), needing no credentials, answered with the image's content type and an `inline` Content-Disposition with its name. Follow it without the Authorization header.",
      "headers": {
       "Cache-Control": {
        "description": "`private, no-store`: the URL expires.",
        "schema": {
         "type": "string"
        }
       },
       "ETag": {
        "schema": {
         "type": "string"
        }
       },
       "Location": {
        "description": "The presigned URL.",
        "schema": {
         "format": "uri",
         "type": "string"
        }
       }
      }
     },
     "304": {
      "description": "Not modified."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "410": {
      "$ref": "#/components/responses/OriginalMissing"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "The image's bytes."
   }
  },
  "/images/{id}/metadata": {
   "get": {
    "operationId": "metadata",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ImageMetadata"
        }
       }
      },
      "description": "The image and its properties."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "The image's metadata."
   }
  },
  "/images/{id}/signed-url": {
   "post": {
    "description": "The options are checked as the URL checks them and written in canonical order and spelling. The URL carries `expires` and `signature` (HMAC-SHA256 over `GET`, the path and the expiry, keyed by `URL_SIGNING_KEY`); it gives that one variant of that one image, nothing else. Signing makes no variant and costs no allowance.",
    "operationId": "signTransformURL",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "additionalProperties": false,
        "properties": {
         "expires_in": {
          "default": 86400,
          "description": "Seconds the URL works.",
          "maximum": 604800,
          "minimum": 1,
          "type": "integer"
         },
         "options": {
          "description": "As in `GET /images/{id}/t/{options}`.",
          "example": "w_800,fmt_webp",
          "type": "string"
         }
        },
        "required": [
         "options"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "additionalProperties": false,
         "properties": {
          "expires_at": {
           "format": "date-time",
           "type": "string"
          },
          "options": {
           "description": "The options in canonical form.",
           "type": "string"
          },
          "url": {
           "description": "The signed path and query, relative to the API's base URL.",
           "type": "string"
          }
         },
         "required": [
          "url",
          "options",
          "expires_at"
         ],
         "type": "object"
        }
       }
      },
      "description": "The signed URL."
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Sign a transformation URL that works without a header until it expires."
   }
  },
  "/images/{id}/t/{options}": {
   "get": {
    "description": "The same normalized spec, and so the same variant, as `POST /images/{id}/transform` with the equivalent JSON. A ready variant is served as `GET /images/{id}` serves bytes (ETag, 304, a 302 when large or with `redirect=1`); a new one is made within the request and served; one being made elsewhere is waited for until 2 s before the function's deadline (about 27 s: its 29 s timeout is inside API Gateway's 30 s integration timeout). The only query parameters are `expires`, `signature` and `redirect`: any other (`?format=png`) is a 422 naming it; transformations are options in the path (`fmt_png`). Authenticate with the bearer token, or with `expires` and `signature` from `POST /images/{id}/signed-url`, which need no header. New variants count against the transforms rate limit; existing ones cost nothing.",
    "operationId": "transformByURL",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     },
     {
      "description": "Comma-separated options, each `name` or `name_value`; order does not matter and values are percent-decoded after the split. Groups separated by `|` are the steps of an ordered pipeline, one operation each, run in the order given (`w_400|crop_300:0:100:100|rot_90,fmt_png`; errors name the step, `options[1].crop`). `w_<px>`, `h_<px>` (1-8192), `fit_fill|cover|contain|inside` (resize; with one side the other keeps the aspect ratio), `g_<gravity>` (what a cover crop keeps: `centre`, `north` ... `northwest`, `smart`, `entropy`), `crop_<x>:<y>:<width>:<height>`, `rot_<degrees>`, `flip`, `mirror`, `gray` (or `grayscale`), `sepia`, `blur_<sigma 0.3-100>`, `sharpen`, `invert`, `wm_<text>`, `wmpos_bottom-right|bottom-left|top-right|top-left|center`, `wmop_<0-1>`, `fmt_jpeg|png|webp|avif|heif|gif|tiff`, `q_<1-100>`, `compress`, `still` (an animation's first frame only). Each means the same as its field of the JSON `transformations` (README, \"Transformations by URL\"); an unknown, repeated or invalid option is a 422 naming it (`options.w`).",
      "in": "path",
      "name": "options",
      "required": true,
      "schema": {
       "example": "w_800,h_600,fit_cover,fmt_webp,q_80",
       "minLength": 1,
       "type": "string"
      }
     },
     {
      "description": "Unix seconds until which a signed URL works (with `signature`).",
      "in": "query",
      "name": "expires",
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "base64url HMAC-SHA256 of the URL (from `POST /images/{id}/signed-url`).",
      "in": "query",
      "name": "signature",
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "`1` or `true`: answer with a 302 to a short-lived presigned URL of the bytes, whatever their size. Without it, bytes over the inline limit (4,706,304 bytes: a Lambda response carries at most 6 MB, base64 a third more) are redirected and smaller ones answered inline; `0` or `false` is the same as leaving it out.",
      "in": "query",
      "name": "redirect",
      "schema": {
       "enum": [
        "1",
        "true",
        "0",
        "false"
       ],
       "type": "string"
      }
     },
     {
      "in": "header",
      "name": "If-None-Match",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "image/*": {
        "schema": {
         "format": "binary",
         "type": "string"
        }
       }
      },
      "description": "The variant's bytes with their true content type.",
      "headers": {
       "Cache-Control": {
        "description": "`private, max-age=31536000, immutable` with a bearer token; `public, max-age=<seconds left>` for a signed URL.",
        "schema": {
         "type": "string"
        }
       },
       "Content-Location": {
        "description": "The variant's URL, `/images/{variant id}`.",
        "schema": {
         "type": "string"
        }
       },
       "ETag": {
        "schema": {
         "type": "string"
        }
       },
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "202": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The variant is still being made elsewhere after the wait.",
      "headers": {
       "Content-Location": {
        "description": "The variant's URL, `/images/{variant id}`.",
        "schema": {
         "type": "string"
        }
       },
       "Retry-After": {
        "schema": {
         "type": "integer"
        }
       }
      }
     },
     "302": {
      "description": "The bytes are at `Location`: a presigned object-store URL valid for `S3_PRESIGN_DOWNLOAD_SECONDS` (default 300), needing no credentials, answered with the image's content type and an `inline` Content-Disposition with its name. Follow it without the Authorization header.",
      "headers": {
       "Cache-Control": {
        "description": "`private, no-store`: the URL expires.",
        "schema": {
         "type": "string"
        }
       },
       "ETag": {
        "schema": {
         "type": "string"
        }
       },
       "Location": {
        "description": "The presigned URL.",
        "schema": {
         "format": "uri",
         "type": "string"
        }
       }
      }
     },
     "304": {
      "description": "Not modified."
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "403": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "410": {
      "$ref": "#/components/responses/OriginalMissing"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     },
     {}
    ],
    "summary": "A transformed image by URL: served, or made within the request when new."
   }
  },
  "/images/{id}/transform": {
   "post": {
    "operationId": "transform",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     },
     {
      "description": "`wait=N` (RFC 7240; N capped at 30) waits for the result, a new variant or one another request is making, until 2 s before the function's deadline (about 27 s); a bare `wait` waits 10 s.",
      "in": "header",
      "name": "Prefer",
      "schema": {
       "example": "wait=10",
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "additionalProperties": false,
        "properties": {
         "transformations": {
          "$ref": "#/components/schemas/Transformations"
         }
        },
        "required": [
         "transformations"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The existing variant for the same transformations.",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       },
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The finished variant (Prefer: wait).",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       },
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "202": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Image"
        }
       }
      },
      "description": "The queued variant.",
      "headers": {
       "Location": {
        "description": "The image's URL.",
        "schema": {
         "type": "string"
        }
       },
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Transform an image (asynchronously)."
   }
  },
  "/images/{id}/variants": {
   "get": {
    "operationId": "variants",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     },
     {
      "description": "Page number, from 1.",
      "in": "query",
      "name": "page",
      "schema": {
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "Items to skip (instead of page).",
      "in": "query",
      "name": "skip",
      "schema": {
       "minimum": 0,
       "type": "integer"
      }
     },
     {
      "description": "Items per page; above 100 is capped to 100.",
      "in": "query",
      "name": "limit",
      "schema": {
       "default": 10,
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "in": "query",
      "name": "q",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ImagePage"
        }
       }
      },
      "description": "A page of variants."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Variants made from the image."
   }
  },
  "/login": {
   "post": {
    "operationId": "login",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Credentials"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      },
      "description": "The user and a token.",
      "headers": {
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "Sign in."
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openapi",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      },
      "description": "The OpenAPI document."
     }
    },
    "summary": "This document."
   }
  },
  "/readyz": {
   "get": {
    "operationId": "ready",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Readiness"
        }
       }
      },
      "description": "All dependencies answer."
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "Readiness of PostgreSQL, S3 and RabbitMQ."
   }
  },
  "/register": {
   "post": {
    "operationId": "register",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Credentials"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      },
      "description": "The account and a token."
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "409": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "Create an account and sign in."
   }
  },
  "/token": {
   "post": {
    "operationId": "token",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Credentials"
       }
      },
      "application/x-www-form-urlencoded": {
       "schema": {
        "properties": {
         "client_id": {
          "description": "Accepted and ignored (OAuth2 password grant).",
          "type": "string"
         },
         "client_secret": {
          "description": "Accepted and ignored (OAuth2 password grant).",
          "type": "string"
         },
         "grant_type": {
          "type": "string"
         },
         "password": {
          "maxLength": 1024,
          "minLength": 8,
          "type": "string"
         },
         "scope": {
          "description": "Accepted and ignored (OAuth2 password grant).",
          "type": "string"
         },
         "username": {
          "description": "Kept as typed and compared case-insensitively; no leading or trailing spaces, no control characters.",
          "maxLength": 254,
          "minLength": 3,
          "pattern": "^[^\\s\\x00-\\x1f\\x7f-\\x9f](?:[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f])?$",
          "type": "string"
         }
        },
        "required": [
         "username",
         "password"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Token"
        }
       }
      },
      "description": "An access token.",
      "headers": {
       "RateLimit": {
        "$ref": "#/components/headers/RateLimit"
       },
       "RateLimit-Policy": {
        "$ref": "#/components/headers/RateLimit-Policy"
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "OAuth2 password grant (original service)."
   }
  },
  "/users": {
   "post": {
    "operationId": "createUser",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "additionalProperties": false,
        "properties": {
         "email": {
          "description": "Kept as typed and compared case-insensitively; no leading or trailing spaces, no control characters.",
          "maxLength": 254,
          "minLength": 3,
          "pattern": "^[^\\s\\x00-\\x1f\\x7f-\\x9f](?:[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f])?$",
          "type": "string"
         },
         "plain_password": {
          "maxLength": 1024,
          "minLength": 8,
          "type": "string"
         }
        },
        "required": [
         "email",
         "plain_password"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      },
      "description": "The user."
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "409": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "Create an account (original service)."
   }
  },
  "/users/": {
   "post": {
    "operationId": "createUserSlash",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "additionalProperties": false,
        "properties": {
         "email": {
          "description": "Kept as typed and compared case-insensitively; no leading or trailing spaces, no control characters.",
          "maxLength": 254,
          "minLength": 3,
          "pattern": "^[^\\s\\x00-\\x1f\\x7f-\\x9f](?:[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f])?$",
          "type": "string"
         },
         "plain_password": {
          "maxLength": 1024,
          "minLength": 8,
          "type": "string"
         }
        },
        "required": [
         "email",
         "plain_password"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      },
      "description": "The user."
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "409": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "summary": "Create an account (original service, trailing slash)."
   }
  },
  "/users/me": {
   "get": {
    "operationId": "me",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/User"
        }
       }
      },
      "description": "The user."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "The signed-in user."
   }
  },
  "/webhooks": {
   "get": {
    "operationId": "listWebhooks",
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "additionalProperties": false,
         "properties": {
          "items": {
           "items": {
            "$ref": "#/components/schemas/Webhook"
           },
           "type": "array"
          },
          "total": {
           "type": "integer"
          }
         },
         "required": [
          "items",
          "total"
         ],
         "type": "object"
        }
       }
      },
      "description": "The caller's webhooks, newest first, without their secrets."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "The caller's webhooks."
   },
   "post": {
    "description": "When one of the caller's variants becomes `ready` or `failed`, the event is POSTed to `url`, signed, and retried with back-off (`WEBHOOK_RETRY_SECONDS`) until a 2xx answer or the last attempt. In production `url` must be `https://` and neither name nor resolve to a loopback, private or otherwise reserved address; in development `http://` and loopback are allowed. At most 10 webhooks per user.",
    "operationId": "createWebhook",
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "additionalProperties": false,
        "properties": {
         "description": {
          "maxLength": 200,
          "type": [
           "string",
           "null"
          ]
         },
         "events": {
          "default": [
           "variant.ready",
           "variant.failed"
          ],
          "items": {
           "enum": [
            "variant.ready",
            "variant.failed"
           ],
           "type": "string"
          },
          "minItems": 1,
          "type": "array"
         },
         "url": {
          "example": "https://example.com/hooks/images",
          "format": "uri",
          "type": "string"
         }
        },
        "required": [
         "url"
        ],
        "type": "object"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Webhook"
        }
       }
      },
      "description": "The webhook, with its signing secret (shown only here).",
      "headers": {
       "Location": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "409": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Register a callback URL for variant events."
   }
  },
  "/webhooks/{id}": {
   "delete": {
    "operationId": "deleteWebhook",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Deleted, with its deliveries; nothing more is sent to it."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "Delete a webhook."
   }
  },
  "/webhooks/{id}/deliveries": {
   "get": {
    "operationId": "webhookDeliveries",
    "parameters": [
     {
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "format": "uuid",
       "type": "string"
      }
     },
     {
      "description": "Page number, from 1.",
      "in": "query",
      "name": "page",
      "schema": {
       "minimum": 1,
       "type": "integer"
      }
     },
     {
      "description": "Items to skip (instead of page).",
      "in": "query",
      "name": "skip",
      "schema": {
       "minimum": 0,
       "type": "integer"
      }
     },
     {
      "description": "Items per page; above 100 is capped to 100.",
      "in": "query",
      "name": "limit",
      "schema": {
       "default": 10,
       "minimum": 1,
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "additionalProperties": false,
         "properties": {
          "items": {
           "items": {
            "$ref": "#/components/schemas/WebhookDelivery"
           },
           "type": "array"
          },
          "limit": {
           "type": "integer"
          },
          "page": {
           "type": "integer"
          },
          "skip": {
           "type": "integer"
          },
          "total": {
           "type": "integer"
          }
         },
         "required": [
          "items",
          "total",
          "page",
          "limit",
          "skip"
         ],
         "type": "object"
        }
       }
      },
      "description": "A page of deliveries, newest first, each with every attempt."
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "404": {
      "$ref": "#/components/responses/Problem"
     },
     "422": {
      "$ref": "#/components/responses/Problem"
     },
     "503": {
      "$ref": "#/components/responses/Problem"
     }
    },
    "security": [
     {
      "bearerAuth": []
     }
    ],
    "summary": "A webhook's deliveries and their attempts."
   }
  }
 },
 "servers": [
  {
   "url": "/"
  }
 ]
}
"""#
}
