/* The single-user "server" of P8-P10: listens where JUPYTERHUB_SERVICE_URL says and answers every
 * request with 200. The same binary runs under both arms (the Outpost and LocalProcessSpawner), so the
 * bench measures the spawners and not a notebook server's start-up. About 1 MB resident, no threads.
 * With JUPYTER_BENCH_STAMPS set to a folder it writes <folder>/<JUPYTERHUB_USER>: its pid, when it began and when
 * it listened (CLOCK_REALTIME seconds), for the bench's breakdown. */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    double began = now();
    const char *url = getenv("JUPYTERHUB_SERVICE_URL");
    if (!url) { fprintf(stderr, "tinyserver: JUPYTERHUB_SERVICE_URL is not set\n"); return 2; }
    const char *hostpart = strstr(url, "://");
    if (!hostpart) { fprintf(stderr, "tinyserver: bad JUPYTERHUB_SERVICE_URL %s\n", url); return 2; }
    hostpart += 3;
    char host[64] = {0};
    const char *colon = strchr(hostpart, ':');
    if (!colon || colon - hostpart >= (long)sizeof host) { fprintf(stderr, "tinyserver: no port in %s\n", url); return 2; }
    memcpy(host, hostpart, colon - hostpart);
    int port = atoi(colon + 1);
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (inet_pton(AF_INET, strcmp(host, "0.0.0.0") == 0 || host[0] == 0 ? "0.0.0.0" : host, &a.sin_addr) != 1)
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 64) != 0) { perror("tinyserver: bind/listen"); return 1; }
    const char *stamps = getenv("JUPYTER_BENCH_STAMPS"), *user = getenv("JUPYTERHUB_USER");
    if (stamps && user && !strchr(user, '/')) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", stamps, user);
        FILE *f = fopen(path, "w");
        if (f) { fprintf(f, "%d %.6f %.6f\n", (int)getpid(), began, now()); fclose(f); }
    }
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    char buf[4096];
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        struct timeval tv = {5, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t n = read(c, buf, sizeof buf);  /* one request line and headers: enough for a GET */
        if (n > 0) { ssize_t w = write(c, reply, sizeof reply - 1); (void)w; }
        close(c);
    }
}
