from django.dispatch import Signal

# Sent when someone downloads a job's file (sender: Job; job, user): the app whose data it holds logs it.
file_downloaded = Signal()
