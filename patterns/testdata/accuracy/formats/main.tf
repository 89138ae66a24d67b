terraform {
  required_version = ">= 1.6"
}

provider "aws" {
  region = "eu-west-1"
}

locals {
  environment = "production"
@@ENTRIES@@
}

resource "aws_s3_bucket" "assets" {
  bucket = "orders-assets-${local.environment}"
}
