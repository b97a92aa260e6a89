/* Check the web handouts that make handouts wrote.
 *
 *   web_check DIR
 *
 * For every page DIR/...html: it parses and has a title, a stylesheet and a
 * first heading; a lab's page (NN_name.html) also has a table of contents
 * of at least three entries. Every link and image of every page that points
 * inside the site resolves: the file exists and, for "page#anchor", the page
 * has an element with that id. Every figure (an image ending in .svg) is an
 * SVG document that libxml2 reads. Links with a scheme (https:, mailto:)
 * are not followed: the machine may have no network. In the text of every
 * paragraph, list item, heading and table cell, no white space stands
 * between two Chinese characters (a line break of the Markdown that the
 * page would show as a stray space: "使用， 命名空间"); code aside. One line
 * per problem; exit 0 when there is none.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int problems, pages, links, figures;

/* One parsed page, kept for the anchors other pages link to. */
struct page {
    char *path;
    htmlDocPtr doc;
    struct page *next;
};
static struct page *parsed;

static htmlDocPtr page_doc(const char *path)
{
    struct page *p;

    for (p = parsed; p; p = p->next)
        if (strcmp(p->path, path) == 0)
            return p->doc;
    p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        perror("web_check");
        exit(2);
    }
    p->doc = htmlReadFile(path, "utf-8", HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    p->next = parsed;
    parsed = p;
    return p->doc;
}

static void problem(const char *page, const char *what, const char *detail)
{
    printf("%s: %s%s%s\n", page, what, detail ? ": " : "", detail ? detail : "");
    problems++;
}

/* Calls fn on every element of the tree under node. */
static void walk(xmlNodePtr node, void (*fn)(xmlNodePtr, void *), void *arg)
{
    for (; node; node = node->next)
        if (node->type == XML_ELEMENT_NODE) {
            fn(node, arg);
            walk(node->children, fn, arg);
        }
}

struct find {
    const char *id;
    int found;
};

static void find_id(xmlNodePtr node, void *arg)
{
    struct find *f = arg;
    xmlChar *id = xmlGetProp(node, BAD_CAST "id");

    if (id && strcmp((char *)id, f->id) == 0)
        f->found = 1;
    xmlFree(id);
}

static int has_id(htmlDocPtr doc, const char *id)
{
    struct find f = { id, 0 };

    walk(xmlDocGetRootElement(doc), find_id, &f);
    return f.found;
}

static void check_svg(const char *page, const char *path)
{
    xmlDocPtr svg = xmlReadFile(path, NULL, XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET);
    xmlNodePtr root = svg ? xmlDocGetRootElement(svg) : NULL;

    figures++;
    if (!root || strcmp((const char *)root->name, "svg") != 0 || !root->children)
        problem(page, "figure is not an SVG drawing", path);
    if (svg)
        xmlFreeDoc(svg);
}

/* One link or image source of the page `page` (in folder `dir`). */
static void check_target(const char *page, const char *dir, const char *target)
{
    char *copy, *hash, *path = NULL;
    struct stat st;

    if (strchr(target, ':') && strcspn(target, ":") < strcspn(target, "/#"))
        return;                            /* https:, mailto: ... */
    links++;
    copy = strdup(target);
    if (!copy) {
        perror("web_check");
        exit(2);
    }
    hash = strchr(copy, '#');
    if (hash)
        *hash++ = '\0';
    if (*copy == '\0')
        path = strdup(page);
    else if (asprintf(&path, "%s/%s", dir, copy) == -1)
        path = NULL;
    if (!path) {
        perror("web_check");
        exit(2);
    }
    if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
        problem(page, "link to a file that is not there", target);
    } else if (hash && *hash) {
        htmlDocPtr doc = page_doc(path);
        if (!doc || !has_id(doc, hash))
            problem(page, "link to an anchor that is not there", target);
    } else if (strlen(path) > 4 && strcmp(path + strlen(path) - 4, ".svg") == 0) {
        check_svg(page, path);
    }
    free(path);
    free(copy);
}

struct scan {
    const char *page, *dir;
    int title, stylesheet, h1, toc_links;
};

static void scan_element(xmlNodePtr node, void *arg)
{
    struct scan *s = arg;
    const char *name = (const char *)node->name;
    const char *attr = NULL;
    xmlChar *value;

    if (strcmp(name, "title") == 0 && node->children && node->children->content &&
        *node->children->content)
        s->title = 1;
    if (strcmp(name, "h1") == 0)
        s->h1 = 1;
    if (strcmp(name, "a") == 0 || strcmp(name, "link") == 0)
        attr = "href";
    else if (strcmp(name, "img") == 0 || strcmp(name, "script") == 0)
        attr = "src";
    if (!attr || !(value = xmlGetProp(node, BAD_CAST attr)))
        return;
    if (strcmp(name, "link") == 0) {
        xmlChar *rel = xmlGetProp(node, BAD_CAST "rel");
        if (rel && strcmp((char *)rel, "stylesheet") == 0)
            s->stylesheet = 1;
        xmlFree(rel);
    }
    if (strcmp(name, "a") == 0 && node->parent && node->parent->parent &&
        node->parent->parent->parent) {
        xmlChar *id = xmlGetProp(node->parent->parent->parent, BAD_CAST "id");
        if (id && strcmp((char *)id, "TOC") == 0)   /* nav#TOC > ul > li > a */
            s->toc_links++;
        xmlFree(id);
    }
    check_target(s->page, s->dir, (const char *)value);
    xmlFree(value);
}

/* ---- stray spaces between Chinese characters ---------------------------- */

/* Is the code point Chinese: ideographs, CJK punctuation, full-width forms? */
static int cjk(unsigned c)
{
    return (c >= 0x3000 && c <= 0x303f) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef);
}

/* The next code point of UTF-8 text at *p (advanced past it). */
static unsigned next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = *s++;
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

    c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
    while (more-- > 0 && (*s & 0xc0) == 0x80)
        c = (c << 6) | (*s++ & 0x3f);
    *p = s;
    return c;
}

/* The text of an element as a reader sees it, code and scripts as one "X". */
static void text_of(xmlNodePtr node, char **buf, size_t *len, size_t *cap)
{
    for (; node; node = node->next) {
        const char *add = NULL;
        if (node->type == XML_TEXT_NODE)
            add = (const char *)node->content;
        else if (node->type == XML_ELEMENT_NODE &&
                 (strcmp((const char *)node->name, "code") == 0 || strcmp((const char *)node->name, "pre") == 0 ||
                  strcmp((const char *)node->name, "kbd") == 0 || strcmp((const char *)node->name, "script") == 0 ||
                  strcmp((const char *)node->name, "style") == 0))
            add = "X";
        else if (node->type == XML_ELEMENT_NODE)
            text_of(node->children, buf, len, cap);
        if (add) {
            size_t n = strlen(add);
            if (*len + n + 1 > *cap) {
                char *more = realloc(*buf, *cap = 2 * (*len + n + 1));
                if (!more)
                    return;
                *buf = more;
            }
            memcpy(*buf + *len, add, n + 1);
            *len += n;
        }
    }
}

static void check_cjk_spaces(xmlNodePtr node, void *arg)
{
    static const char *const blocks[] = { "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
                                          "figcaption", "title" };
    const char *page = arg;
    char *text = NULL;
    size_t len = 0, cap = 0, i;
    const unsigned char *p;
    unsigned prev = 0;

    for (i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp((const char *)node->name, blocks[i]) == 0)
            break;
    if (i == sizeof blocks / sizeof blocks[0])
        return;
    text_of(node->children, &text, &len, &cap);
    for (p = (const unsigned char *)(text ? text : ""); *p;) {
        const unsigned char *at = p;
        unsigned c = next_cp(&p);
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            const unsigned char *after = p;
            unsigned d;
            while (*after == ' ' || *after == '\n' || *after == '\t' || *after == '\r')
                after++;
            d = *after ? next_cp(&after) : 0;
            if (cjk(prev) && cjk(d)) {
                char where[64];
                const unsigned char *from = at;
                int back = 0;
                while (from > (const unsigned char *)text && back < 9)   /* a few characters before */
                    if ((*--from & 0xc0) != 0x80)
                        back++;
                snprintf(where, sizeof where, "%.*s", (int)(after - from), (const char *)from);
                for (char *w = where; *w; w++)
                    if (*w == '\n' || *w == '\t')
                        *w = ' ';
                problem(page, "a space between two Chinese characters (a line break in the Markdown?)", where);
            }
        }
        prev = c;
    }
    free(text);
}

static void check_page(const char *path)
{
    char *dup = strdup(path), *base;
    struct scan s = { 0 };
    htmlDocPtr doc;

    if (!dup) {
        perror("web_check");
        exit(2);
    }
    pages++;
    s.page = path;
    s.dir = dirname(dup);
    doc = page_doc(path);
    if (!doc || !xmlDocGetRootElement(doc)) {
        problem(path, "does not parse as HTML", NULL);
        free(dup);
        return;
    }
    walk(xmlDocGetRootElement(doc), scan_element, &s);
    walk(xmlDocGetRootElement(doc), check_cjk_spaces, (void *)path);
    if (!s.title)
        problem(path, "no <title>", NULL);
    if (!s.stylesheet)
        problem(path, "no stylesheet", NULL);
    if (!s.h1)
        problem(path, "no first heading (<h1>)", NULL);
    base = strrchr(path, '/') ? strrchr(path, '/') + 1 : (char *)path;
    if (base[0] >= '0' && base[0] <= '9' && s.toc_links < 3)
        problem(path, "no table of contents (fewer than 3 entries)", NULL);
    free(dup);
}

static void check_dir(const char *dir)
{
    struct dirent **names;
    int n, i;

    n = scandir(dir, &names, NULL, alphasort);
    if (n == -1) {
        problem(dir, "cannot read the folder", NULL);
        return;
    }
    for (i = 0; i < n; i++) {
        char *path;
        struct stat st;
        size_t len = strlen(names[i]->d_name);

        if (names[i]->d_name[0] != '.' && asprintf(&path, "%s/%s", dir, names[i]->d_name) != -1) {
            if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                check_dir(path);
            else if (len > 5 && strcmp(names[i]->d_name + len - 5, ".html") == 0)
                check_page(path);
            free(path);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    struct page *p, *next;

    if (argc != 2) {
        fprintf(stderr, "usage: web_check DIR\n");
        return 2;
    }
    xmlCheckVersion(LIBXML_VERSION);
    check_dir(argv[1]);
    if (pages == 0)
        problem(argv[1], "no page", NULL);
    for (p = parsed; p; p = next) {
        next = p->next;
        if (p->doc)
            xmlFreeDoc(p->doc);
        free(p->path);
        free(p);
    }
    xmlCleanupParser();
    printf("web_check: %d pages, %d links and images inside the site, %d figure references: %d problems\n", pages,
           links, figures, problems);
    return problems ? 1 : 0;
}
