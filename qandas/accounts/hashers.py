"""Password hashing: Argon2id with OWASP's recommended minimum cost.

Django's default Argon2 parameters (100 MiB, 8 lanes) took about a second of CPU
per attempt on a 2-core server, which lets anyone who can reach the login page tie
the server up. OWASP's Password Storage Cheat Sheet names 19 MiB, 2 iterations and
1 lane as its first recommended configuration. Hashes made with other parameters
are upgraded at the user's next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
