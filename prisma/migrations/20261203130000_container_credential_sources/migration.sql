-- Where each container's pulls get their credentials (core credential-source.ts), in the kubelet's
-- order: pod-secret, service-account-secret, node-provider, service-account-token, or none. Rows
-- written before this column existed hold an empty list: not known then.
ALTER TABLE "ContainerFact" ADD COLUMN "credentialSources" TEXT[] NOT NULL DEFAULT '{}';
