-- A cluster's kubelet counters go with it.
ALTER TABLE "KubeletReading" ADD CONSTRAINT "KubeletReading_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "KubeletNodeDay" ADD CONSTRAINT "KubeletNodeDay_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "KubeletClusterDay" ADD CONSTRAINT "KubeletClusterDay_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
