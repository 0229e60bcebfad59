-- Image volumes (spec.volumes[].image) are pulled images: stored beside the containers, keyed
-- volume/<name>, with their own type.
ALTER TYPE "ContainerType" ADD VALUE IF NOT EXISTS 'volume';
